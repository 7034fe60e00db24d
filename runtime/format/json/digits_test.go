package json

import (
	"encoding/binary"
	"math/bits"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// The eight-digits-at-a-time integer scan against strconv, on every
// length from 1 to 20 digits, with and without the chunk boundary in the
// middle, and on the bytes just outside '0'..'9'.
func TestUintEightDigitsAtATime(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for n := 1; n <= 20; n++ {
		for k := 0; k < 200; k++ {
			var sb strings.Builder
			sb.WriteByte(byte('1' + rng.Intn(9)))
			for sb.Len() < n {
				sb.WriteByte(byte('0' + rng.Intn(10)))
			}
			digits := sb.String()
			for _, tail := range []string{"", ",", "}", ":", "/", "xxxxxxxx", "0", "."} {
				in := digits + tail
				s := &scanner{b: []byte(in)}
				got, ok := s.uint(true)
				allDigits := strings.Trim(in, "0123456789") == ""
				want, err := strconv.ParseInt(strings.TrimRight(in, ",}:/x."), 10, 64)
				wantOK := err == nil && len(strings.TrimRight(in, ",}:/x.")) <= 18 && tail != "."
				if !allDigits && tail == "0" {
					t.Fatal("bad case")
				}
				if ok != wantOK || (ok && got != want) {
					t.Fatalf("uint(%q) = %d, %v; want %d, %v", in, got, ok, want, wantOK)
				}
				if ok && s.i != len(strings.TrimRight(in, ",}:/x.")) {
					t.Fatalf("uint(%q) stopped at %d", in, s.i)
				}
			}
		}
	}
	for c := 0; c < 256; c++ {
		for p := 0; p < 8; p++ {
			b := []byte("12345678")
			b[p] = byte(c)
			for q := p + 1; q < 8; q++ {
				b[q] = byte(rng.Intn(256)) // anything after the first non-digit
			}
			x := binary.LittleEndian.Uint64(b)
			nd := nonDigits(x)
			if c >= '0' && c <= '9' {
				continue
			}
			if nd == 0 || bits.TrailingZeros64(nd)>>3 != p {
				t.Fatalf("nonDigits(%q) = %x: first non-digit at %d", b, nd, p)
			}
		}
	}
	if got := parseEightDigits(binary.LittleEndian.Uint64([]byte("90817263"))); got != 90817263 {
		t.Fatalf("parseEightDigits = %d", got)
	}
}
