package json

import (
	"math/rand"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// The perfect-hash key table must agree with a plain map on every key,
// wherever the key sits in the buffer (the first word is loaded past the
// key's end when the buffer has room, byte by byte when it does not).
func TestKeyTableMatchesMap(t *testing.T) {
	names := []string{"user_id", "page_id", "ad_id", "ad_type", "event_type", "event_time",
		"campaign_id", "ip_address", "a", "ab", "abcdefgh", "abcdefghi", "abcdefgh_long_middle_x",
		"bbcdefgh_long_middle_x", "x_______________y"}
	testKeyTable(t, names, false)
	// alike in the first eight bytes and length: the hash must go wide
	testKeyTable(t, append(names, "metric_value1", "metric_value2", "value_in_eur", "value_in_usd"), true)
}

func testKeyTable(t *testing.T, names []string, wide bool) {
	var kt keyTable
	kt.build(names)
	if !kt.ok || kt.wide != wide {
		t.Fatalf("%d names: ok %v wide %v, want ok, wide %v", len(names), kt.ok, kt.wide, wide)
	}
	want := map[string]int{}
	for i, n := range names {
		want[n] = i
	}
	probes := append([]string{}, names...)
	probes = append(probes, "", "metric_value3", "metric_valuf1", "value_in_gbp", "user_ie", "event_tim", "event_timex", "abcdefgh_long_middle_z",
		"abcdefgh_lonG_middle_x", "abcdefgh_long_middle_y", "x_______________z", "ad", "ad_i", "b", "abcdefg", "abcdefgi")
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		k := make([]byte, rng.Intn(20))
		for j := range k {
			k[j] = "abcdefghi_xyz"[rng.Intn(13)]
		}
		probes = append(probes, string(k))
	}
	for _, p := range probes {
		exp, ok := want[p]
		if !ok {
			exp = -1
		}
		for _, buf := range [][]byte{
			[]byte(`"` + p + `":"value","more":1}`), // room after the key
			[]byte(`"` + p),                         // the key ends the buffer
		} {
			if got := kt.find(buf, 1, 1+len(p)); got != exp {
				t.Errorf("find(%q) in %q = %d, want %d", p, buf, got, exp)
			}
		}
	}
}

// Two names alike in their first and last eight bytes and their length
// cannot be told apart by the table: it must refuse, and decoding still
// finds both (through lookup).
func TestKeyTableFallsBack(t *testing.T) {
	var kt keyTable
	kt.build([]string{"abcdefgh_1_12345678", "abcdefgh_2_12345678"})
	if kt.ok {
		t.Fatal("table built for names it cannot tell apart")
	}
	cols := planner.Schema{{Name: "abcdefgh_1_12345678", Type: types.Type{Kind: types.BigInt}}, {Name: "abcdefgh_2_12345678", Type: types.Type{Kind: types.BigInt}}}
	d, err := NewDecoder(cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	row := make(core.Row, 2)
	if err := d.Decode([]byte(`{"abcdefgh_2_12345678":7,"abcdefgh_1_12345678":5}`), row); err != nil {
		t.Fatal(err)
	}
	if row[0].I != 5 || row[1].I != 7 {
		t.Fatalf("got %v, want [5 7]", row)
	}
}

// SetPositions moves each column to its slot of a wider row and leaves
// the other slots alone; a missing field's NULL goes to its slot too.
func TestSetPositions(t *testing.T) {
	cols := planner.Schema{{Name: "s", Type: types.Type{Kind: types.String}}, {Name: "n", Type: types.Type{Kind: types.BigInt}}, {Name: "m", Type: types.Type{Kind: types.BigInt}}}
	for _, general := range []bool{false, true} {
		d, err := NewDecoder(cols, Options{})
		if err != nil {
			t.Fatal(err)
		}
		d.general = general
		if d.SetPositions([]int{1}) {
			t.Fatal("SetPositions accepted too few positions")
		}
		if !d.SetPositions([]int{4, 0, 2}) {
			t.Fatal("SetPositions refused")
		}
		row := make(core.Row, 5)
		row[1], row[3] = types.BigIntValue(11), types.BigIntValue(33)
		if err := d.Decode([]byte(`{"n":42,"x":"y","s":"hi"}`), row); err != nil {
			t.Fatal(err)
		}
		if row[0].I != 42 || row[4].S != "hi" || !row[2].IsNull() || row[1].I != 11 || row[3].I != 33 {
			t.Fatalf("general=%v: got %v", general, row)
		}
	}
}
