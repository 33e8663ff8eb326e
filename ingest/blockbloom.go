package ingest

import "math"

// blockBloom is a split-block Bloom filter (the layout of Apache Parquet's
// and Impala's): each key sets one bit in each of the eight 32-bit words of
// one 32-byte block, so an add or a test touches one cache line. A classic
// Bloom filter at the rate needed here (1e-5: 17 bits per key in random
// places) costs 17 cache misses per add. Keys are the
// 64-bit cityHash64 values ClickHouse computes too, so the filter loads
// from a query: the high half picks the block, the low half the bits.
type blockBloom struct {
	blocks [][8]uint32
}

// blockBloomBitsPerKey gives about 4e-5 false positives at capacity
// (TestBlockBloom), far fewer below it: filters are built for twice the
// rows stored.
const blockBloomBitsPerKey = 32

func newBlockBloom(capacity uint) *blockBloom {
	n := max(1, uint64(math.Ceil(float64(capacity)*blockBloomBitsPerKey/256)))
	return &blockBloom{blocks: make([][8]uint32, n)}
}

// salts are the odd constants of the Parquet specification.
var salts = [8]uint32{0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31}

func (f *blockBloom) block(h uint64) *[8]uint32 {
	return &f.blocks[(h>>32)*uint64(len(f.blocks))>>32]
}

func (f *blockBloom) add(h uint64) {
	b, x := f.block(h), uint32(h)
	for i := range b {
		b[i] |= 1 << ((x * salts[i]) >> 27)
	}
}

func (f *blockBloom) has(h uint64) bool {
	b, x := f.block(h), uint32(h)
	for i := range b {
		if b[i]&(1<<((x*salts[i])>>27)) == 0 {
			return false
		}
	}
	return true
}
