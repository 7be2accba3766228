package offergen

// A small, allocation-free generator whose sequence is fixed by this file
// alone, so a seed gives the same bytes whatever the Go release.

// mix is SplitMix64's finaliser applied to seed+x. It is a bijection of
// its argument for a fixed seed: distinct x give distinct results.
func mix(seed, x uint64) uint64 {
	z := x + seed*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// rng is a SplitMix64 stream for one product.
type rng struct{ state uint64 }

func newRNG(seed, i uint64) *rng {
	return &rng{state: mix(seed, i^0xa5a5a5a5a5a5a5a5)}
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix(0, r.state)
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

const skuAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// skuFor returns a 16-character SKU such as "2223B6PCG6QAUYY6". Its first
// 13 characters encode mix(seed, v) in full, so distinct v give distinct SKUs.
func skuFor(seed, v uint64) string {
	var b [16]byte
	h := mix(seed, v)
	for i := 12; i >= 0; i-- {
		b[i] = skuAlphabet[h&31]
		h >>= 5
	}
	t := mix(seed^0x51, v)
	for i := 13; i < 16; i++ {
		b[i] = skuAlphabet[t&31]
		t >>= 5
	}
	return string(b[:])
}
