package core

import (
	"encoding/binary"
	"math/bits"
	"testing"

	"github.com/streamsql/streamsql/sql/types"
)

// murmur3x86_32 is the reference Murmur3 (x86, 32-bit) over bytes, written
// from the algorithm's description independently of MurmurHash: Flink's
// murmurHash(int) is it over the int's four little-endian bytes, seed 0,
// made non-negative.
func murmur3x86_32(data []byte, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data)
	for len(data) >= 4 {
		k := binary.LittleEndian.Uint32(data)
		data = data[4:]
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	var k uint32
	switch len(data) {
	case 3:
		k ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(data[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func TestMurmur3ReferenceVectors(t *testing.T) {
	// Published Murmur3_x86_32 test vectors (SMHasher's verification set).
	for _, v := range []struct {
		data []byte
		seed uint32
		want uint32
	}{
		{nil, 0, 0},
		{nil, 1, 0x514E28B7},
		{nil, 0xffffffff, 0x81F16F39},
		{[]byte{0, 0, 0, 0}, 0, 0x2362F9DE},
		{[]byte{0x21, 0x43, 0x65, 0x87}, 0, 0xF55B516B},
		{[]byte{0x21, 0x43, 0x65, 0x87}, 0x5082EDEE, 0x2362F9DE},
		{[]byte{0x21, 0x43, 0x65}, 0, 0x7E4A8634},
		{[]byte{0x21, 0x43}, 0, 0xA0F7B07A},
		{[]byte{0x21}, 0, 0x72661CF4},
		{[]byte{0xff, 0xff, 0xff, 0xff}, 0, 0x76293B50},
	} {
		if got := murmur3x86_32(v.data, v.seed); got != v.want {
			t.Errorf("murmur3(%x, %#x) = %#x, want %#x", v.data, v.seed, got, v.want)
		}
	}
}

func flinkMurmur(code int32) int32 {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(code))
	h := int32(murmur3x86_32(b[:], 0))
	if h >= 0 {
		return h
	}
	if h != -1<<31 {
		return -h
	}
	return 0
}

func TestMurmurHashIsFlinks(t *testing.T) {
	// by hand from the vectors above: 0 -> 0x2362F9DE; 0x87654321 (bytes
	// 21 43 65 87) -> 0xF55B516B, negative as an int, negated; -1 -> 0x76293B50
	for _, v := range []struct{ in, want int32 }{
		{0, 0x2362F9DE},
		{-2023406815, 0x0AA4AE95}, // 0x87654321; -int32(0xF55B516B) = 0x0AA4AE95
		{-1, 0x76293B50},
	} {
		if got := MurmurHash(v.in); got != v.want {
			t.Errorf("MurmurHash(%d) = %d, want %d", v.in, got, v.want)
		}
	}
	for _, c := range []int32{1, 2, 3, 42, 127, 128, 1000, -7, 1 << 30, -1 << 31, 1<<31 - 1, 123456789} {
		if got, want := MurmurHash(c), flinkMurmur(c); got != want {
			t.Errorf("MurmurHash(%d) = %d, reference %d", c, got, want)
		}
	}
	x := uint32(1)
	for i := 0; i < 100000; i++ {
		x = x*1664525 + 1013904223
		if got, want := MurmurHash(int32(x)), flinkMurmur(int32(x)); got != want {
			t.Fatalf("MurmurHash(%d) = %d, reference %d", int32(x), got, want)
		}
		if MurmurHash(int32(x)) < 0 {
			t.Fatalf("MurmurHash(%d) negative", int32(x))
		}
	}
}

func TestKeyGroupRanges(t *testing.T) {
	// by hand from Flink's formulas, max parallelism 128
	hand := map[int][]KeyGroupRange{
		1: {{0, 127}},
		2: {{0, 63}, {64, 127}},
		3: {{0, 42}, {43, 85}, {86, 127}},
		4: {{0, 31}, {32, 63}, {64, 95}, {96, 127}},
		5: {{0, 25}, {26, 51}, {52, 76}, {77, 102}, {103, 127}},
		6: {{0, 21}, {22, 42}, {43, 63}, {64, 85}, {86, 106}, {107, 127}},
		7: {{0, 18}, {19, 36}, {37, 54}, {55, 73}, {74, 91}, {92, 109}, {110, 127}},
		8: {{0, 15}, {16, 31}, {32, 47}, {48, 63}, {64, 79}, {80, 95}, {96, 111}, {112, 127}},
	}
	for p := 1; p <= 8; p++ {
		for i := 0; i < p; i++ {
			if got := KeyGroupRangeFor(128, p, i); got != hand[p][i] {
				t.Errorf("p=%d subtask %d: range %v, want %v", p, i, got, hand[p][i])
			}
		}
	}
	// every key group is owned by exactly the subtask the index formula names
	for _, maxP := range []int{1, 7, 128, 1000, 32768} {
		for p := 1; p <= 9 && p <= maxP; p++ {
			for kg := 0; kg < maxP; kg++ {
				i := OperatorIndexForKeyGroup(maxP, p, kg)
				if !KeyGroupRangeFor(maxP, p, i).Contains(kg) {
					t.Fatalf("maxP=%d p=%d: key group %d goes to %d whose range %v lacks it", maxP, p, kg, i, KeyGroupRangeFor(maxP, p, i))
				}
			}
		}
	}
}

func TestKeyHashStable(t *testing.T) {
	row := Row{types.StringValue("c1"), types.IntValue(7), types.BigIntValue(7), types.NullValue}
	h1, buf := RowKeyHash(row, []int{1}, nil)
	h2, _ := RowKeyHash(row, []int{2}, buf)
	if h1 != h2 {
		t.Errorf("INT 7 and BIGINT 7 hash differently: %d, %d", h1, h2)
	}
	// FNV-1a of a single byte b: (2166136261 ^ b) * 16777619
	want := uint32(2166136261 ^ 0x61)
	want *= 16777619
	if got := KeyHash([]byte{0x61}); got != int32(want) {
		t.Errorf("KeyHash(a) = %d, want %d", got, want)
	}
	if got := KeyHash(nil); got != int32(-2128831035) { // 2166136261 as int32
		t.Errorf("KeyHash(nil) = %d", got)
	}
	a, _ := RowKeyHash(row, []int{0}, nil)
	b, _ := RowKeyHash(Row{types.StringValue("c2")}, []int{0}, nil)
	if a == b {
		t.Errorf("c1 and c2 hash alike")
	}
}
