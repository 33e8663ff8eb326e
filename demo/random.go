package demo

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// Every random draw comes from a PCG stream whose seed is derived from the
// run's seed and the unit of work (a site and a month), so the output does
// not depend on how many goroutines generate it or in which order they
// finish. Facts that several units must agree on (a site's traits, a site's
// load on a given day) are pure hashes of the seed and their key.

// mix is splitmix64's finaliser: a good 64-bit hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hash(seed uint64, keys ...uint64) uint64 {
	h := mix(seed)
	for _, k := range keys {
		h = mix(h ^ k)
	}
	return h
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// unit turns a hash into a float in [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// hashNormal is a standard normal variate drawn from a hash (Box–Muller).
func hashNormal(h uint64) float64 {
	u1 := unit(mix(h)) + 1e-300
	u2 := unit(mix(h ^ 0x5555))
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

func newRand(seed uint64, keys ...uint64) *rand.Rand {
	h := hash(seed, keys...)
	return rand.New(rand.NewPCG(h, mix(h^0xa5a5a5a5)))
}

// poisson draws a Poisson count of mean lambda: Knuth's method for small
// means, a rounded normal approximation for large ones.
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda < 30 {
		l, k, p := math.Exp(-lambda), 0, 1.0
		for {
			p *= r.Float64()
			if p <= l {
				return k
			}
			k++
		}
	}
	n := math.Round(lambda + math.Sqrt(lambda)*r.NormFloat64())
	if n < 0 {
		return 0
	}
	return int(n)
}

// lognormal draws a log-normal variate with the given median and shape.
func lognormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// expo draws an exponential variate of the given mean.
func expo(r *rand.Rand, mean float64) float64 { return mean * r.ExpFloat64() }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// weighted picks an index of w with probability proportional to its weight.
func weighted(r *rand.Rand, w []float64) int {
	var total float64
	for _, x := range w {
		total += x
	}
	u := r.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// choice is a list of strings with weights, drawn from many times.
type choice struct {
	items []string
	cum   []float64
}

func newChoice(pairs ...any) choice {
	var c choice
	var total float64
	for i := 0; i < len(pairs); i += 2 {
		c.items = append(c.items, pairs[i].(string))
		total += pairs[i+1].(float64)
		c.cum = append(c.cum, total)
	}
	for i := range c.cum {
		c.cum[i] /= total
	}
	return c
}

func (c choice) pick(r *rand.Rand) string {
	u := r.Float64()
	for i, x := range c.cum {
		if u < x {
			return c.items[i]
		}
	}
	return c.items[len(c.items)-1]
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
