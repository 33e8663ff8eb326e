package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"globaloffice/indicators"
	"globaloffice/model"
)

var (
	valueDesc = prometheus.NewDesc("globaloffice_indicator_value",
		"National value of a published indicator for the current month (absent until it has one), in the indicator's unit.", []string{"indicator"}, nil)
	targetDesc = prometheus.NewDesc("globaloffice_indicator_target",
		"National target of a published indicator for the current month's year (absent when none is set).", []string{"indicator"}, nil)
	metDesc = prometheus.NewDesc("globaloffice_indicator_target_met",
		"1 when the current month's national value meets its target, 0 when it misses it; absent with no target or too small a sample.", []string{"indicator"}, nil)
	sampleDesc = prometheus.NewDesc("globaloffice_indicator_sample",
		"Observations behind the current month's national value.", []string{"indicator"}, nil)
	lastDesc = prometheus.NewDesc("globaloffice_indicator_last_computed_timestamp_seconds",
		"When the indicator gauges were last computed successfully (Unix time; 0: never).", nil, nil)
	durationDesc = prometheus.NewDesc("globaloffice_indicator_compute_duration_seconds",
		"How long the last successful computation of the indicator gauges took.", nil, nil)
	failuresDesc = prometheus.NewDesc("globaloffice_indicator_compute_failures_total",
		"Computations of the indicator gauges that failed (the previous figures stay exposed).", nil, nil)
)

// Gauges is a prometheus.Collector of the published indicators' national
// figures for the current month, computed by Refresh.
type Gauges struct {
	Engine *indicators.Engine

	mu       sync.Mutex
	snap     []figure
	last     time.Time
	took     time.Duration
	failures uint64
}

// figure is one indicator's exposed values; nil: not exposed.
type figure struct {
	indicator          string
	value, target, met *float64
	sample             uint64
}

// New returns the gauges of eng's catalog, empty until the first Refresh.
func New(eng *indicators.Engine) *Gauges { return &Gauges{Engine: eng} }

// Describe implements prometheus.Collector.
func (g *Gauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{valueDesc, targetDesc, metDesc, sampleDesc, lastDesc, durationDesc, failuresDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: the last snapshot, as it was
// computed (never a half-updated one).
func (g *Gauges) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	snap, last, took, failures := g.snap, g.last, g.took, g.failures
	g.mu.Unlock()
	for _, f := range snap {
		for _, m := range []struct {
			d *prometheus.Desc
			v *float64
		}{{valueDesc, f.value}, {targetDesc, f.target}, {metDesc, f.met}} {
			if m.v != nil {
				ch <- prometheus.MustNewConstMetric(m.d, prometheus.GaugeValue, *m.v, f.indicator)
			}
		}
		ch <- prometheus.MustNewConstMetric(sampleDesc, prometheus.GaugeValue, float64(f.sample), f.indicator)
	}
	var ts float64
	if !last.IsZero() {
		ts = float64(last.UnixNano()) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(lastDesc, prometheus.GaugeValue, ts)
	ch <- prometheus.MustNewConstMetric(durationDesc, prometheus.GaugeValue, took.Seconds())
	ch <- prometheus.MustNewConstMetric(failuresDesc, prometheus.CounterValue, float64(failures))
}

// CurrentMonth is the period the gauges report at now: the calendar month
// of now in now's location.
func CurrentMonth(now time.Time) (indicators.Period, error) {
	return indicators.ParsePeriod(now.Format("2006-01"), now)
}

// Refresh computes the figures of the current month through
// Engine.Results and swaps them in; on failure the previous figures stay
// and the failure counter goes up.
func (g *Gauges) Refresh(ctx context.Context) error {
	start := time.Now()
	snap, err := g.compute(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		g.failures++
		return err
	}
	g.snap, g.last, g.took = snap, g.Engine.Now(), time.Since(start)
	return nil
}

func (g *Gauges) compute(ctx context.Context) ([]figure, error) {
	cat := g.Engine.Catalog
	var ids []string
	for _, d := range cat.Indicators {
		if d.Published {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	per, err := CurrentMonth(g.Engine.Now())
	if err != nil {
		return nil, fmt.Errorf("indicator gauges: %w", err)
	}
	rep, err := g.Engine.Results(ctx, indicators.Query{Period: per,
		Selection: indicators.Selection{Indicators: ids, Scope: model.ScopeNational}})
	if err != nil {
		return nil, fmt.Errorf("indicator gauges for %s: %w", per, err)
	}
	return figures(rep.Results), nil
}

// figures keeps the national results, in their order.
func figures(rs []indicators.Result) []figure {
	var out []figure
	for _, r := range rs {
		if r.Scope != model.ScopeNational {
			continue
		}
		f := figure{indicator: r.Indicator, value: r.Value, target: r.Target, sample: r.Sample}
		switch r.Status {
		case indicators.StatusMet:
			f.met = new(1.0)
		case indicators.StatusMissed:
			f.met = new(0.0)
		}
		out = append(out, f)
	}
	return out
}

// Run refreshes the gauges now and then every period until ctx ends,
// logging failures; each computation gets at most timeout.
func (g *Gauges) Run(ctx context.Context, period, timeout time.Duration, log *slog.Logger) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		err := g.Refresh(rctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Error("computing the indicator gauges", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
