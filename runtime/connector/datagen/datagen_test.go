package datagen

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

func dtable(kv ...string) *planner.TableDesc {
	t := &planner.TableDesc{Name: "g", Columns: planner.Schema{
		{Name: "id", Type: types.TBigInt}, {Name: "v", Type: types.TInt}, {Name: "s", Type: types.TString}, {Name: "d", Type: types.TDouble},
	}, Kinds: []sql.ColumnKind{0, 0, 0, 0}}
	for i := 0; i < len(kv); i += 2 {
		t.Options = append(t.Options, sql.Option{Key: kv[i], Value: kv[i+1]})
	}
	return t
}

func drain(t *testing.T, s *Source) [][]types.Value {
	var rows [][]types.Value
	for i := 0; i < 10000; i++ {
		p, err := s.Poll(context.Background(), 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			if r.Value != nil || r.Row == nil {
				t.Fatal("datagen must fill Row, not Value")
			}
			rows = append(rows, r.Row)
		}
		if p.Done {
			return rows
		}
	}
	t.Fatal("source did not end")
	return nil
}

func TestBoundedRanges(t *testing.T) {
	td := dtable("number-of-rows", "50", "rows-per-second", "0", "streamsql.seed", "1",
		"fields.v.min", "-3", "fields.v.max", "4", "fields.s.length", "6", "fields.d.min", "0.5", "fields.d.max", "0.75", "fields.d.null-rate", "0.5")
	if !Spec.Bounded(td) {
		t.Fatal("number-of-rows makes it bounded")
	}
	s, err := NewSource(td, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := drain(t, s)
	if len(rows) != 50 {
		t.Fatalf("got %d rows, want 50", len(rows))
	}
	nulls := 0
	for _, r := range rows {
		if v := r[1].I; v < -3 || v > 4 || r[1].K != types.Int {
			t.Fatalf("v out of range: %v", r[1])
		}
		if len(r[2].S) != 6 {
			t.Fatalf("s length: %q", r[2].S)
		}
		if r[3].IsNull() {
			nulls++
		} else if f := r[3].F(); f < 0.5 || f > 0.75 {
			t.Fatalf("d out of range: %v", f)
		}
	}
	if nulls == 0 || nulls == 50 {
		t.Fatalf("null-rate 0.5 gave %d NULLs of 50", nulls)
	}
	// the same seed gives the same rows
	s2, _ := NewSource(td, nil)
	rows2 := drain(t, s2)
	for i := range rows {
		for j := range rows[i] {
			if rows[i][j] != rows2[i][j] {
				t.Fatalf("seeded runs differ at row %d col %d", i, j)
			}
		}
	}
}

func TestSequence(t *testing.T) {
	td := dtable("rows-per-second", "0", "fields.id.kind", "sequence", "fields.id.start", "5", "fields.id.end", "14")
	if !Spec.Bounded(td) {
		t.Fatal("a sequence makes it bounded")
	}
	s, err := NewSource(td, []int{0, 2}) // projection: id and s only
	if err != nil {
		t.Fatal(err)
	}
	rows := drain(t, s)
	if len(rows) != 10 {
		t.Fatalf("got %d rows, want 10", len(rows))
	}
	for i, r := range rows {
		if len(r) != 2 || r[0] != types.BigIntValue(int64(5+i)) || r[1].K != types.String {
			t.Fatalf("row %d: %v", i, r)
		}
	}
	if _, err := NewSource(dtable("fields.id.kind", "sequence"), nil); err == nil {
		t.Fatal("sequence without start/end must fail")
	}
}

// A negative string length is an error naming the column, not a panic
// when the first row is made.
func TestNegativeLength(t *testing.T) {
	err := check(dtable("number-of-rows", "1", "fields.s.length", "-1"))
	if err == nil || !strings.Contains(err.Error(), `column "s": length must not be negative, got -1`) {
		t.Fatalf("got %v", err)
	}
	td := dtable("rows-per-second", "0", "number-of-rows", "2", "fields.s.length", "0")
	s, err := NewSource(td, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range drain(t, s) {
		if r[0] != types.StringValue("") {
			t.Fatalf("length 0: got %v, want ''", r[0])
		}
	}
}

// A string length above 1 MiB is an error naming the option (every row
// would allocate it); exactly 1 MiB is allowed. A negative rows-per-second
// is an error, not an unlimited rate.
func TestLimits(t *testing.T) {
	if err := check(dtable("number-of-rows", "1", "fields.s.length", "1048576")); err != nil {
		t.Fatalf("length 1048576: %v", err)
	}
	err := check(dtable("number-of-rows", "1", "fields.s.length", "1048577"))
	if err == nil || !strings.Contains(err.Error(), `option 'fields.s.length': column "s": length 1048577 is above the limit of 1048576`) {
		t.Fatalf("length 1048577: got %v", err)
	}
	err = check(dtable("rows-per-second", "-1"))
	if err == nil || !strings.Contains(err.Error(), `option 'rows-per-second' must not be negative, got -1`) {
		t.Fatalf("check, rows-per-second -1: got %v", err)
	}
	_, err = NewSource(dtable("rows-per-second", "-1"), nil)
	if err == nil || !strings.Contains(err.Error(), `option 'rows-per-second' must not be negative, got -1`) {
		t.Fatalf("NewSource, rows-per-second -1: got %v", err)
	}
	if _, err = NewSource(dtable("rows-per-second", "0"), nil); err != nil {
		t.Fatalf("rows-per-second 0: %v", err)
	}
}

// Integer bounds outside the column's type are errors: a TINYINT of 575
// would otherwise be emitted as it is.
func TestIntegerBoundsWithinType(t *testing.T) {
	tiny := func(kv ...string) *planner.TableDesc {
		td := &planner.TableDesc{Name: "g", Columns: planner.Schema{{Name: "a", Type: types.Type{Kind: types.TinyInt}}}, Kinds: []sql.ColumnKind{0}}
		for i := 0; i < len(kv); i += 2 {
			td.Options = append(td.Options, sql.Option{Key: kv[i], Value: kv[i+1]})
		}
		return td
	}
	for _, c := range []struct {
		opts []string
		want string
	}{
		{[]string{"fields.a.max", "1000"}, `column "a": max 1000 is outside the range of TINYINT (-128 to 127)`},
		{[]string{"fields.a.min", "-129"}, `column "a": min -129 is outside the range of TINYINT (-128 to 127)`},
		{[]string{"fields.a.kind", "sequence", "fields.a.start", "100", "fields.a.end", "200"}, `column "a": end 200 is outside the range of TINYINT (-128 to 127)`},
	} {
		if err := check(tiny(c.opts...)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.opts, err, c.want)
		}
	}
	if err := check(tiny("fields.a.min", "-128", "fields.a.max", "127")); err != nil {
		t.Errorf("the type's own bounds: %v", err)
	}
}

// A DECIMAL wider than an int64 holds gets values within its bounds (the
// unscaled value used to overflow to -92233720368547758.08).
func TestWideDecimal(t *testing.T) {
	td := &planner.TableDesc{Name: "g", Columns: planner.Schema{
		{Name: "small", Type: types.DecimalType(38, 2)}, {Name: "wide", Type: types.DecimalType(20, 0)},
	}, Kinds: []sql.ColumnKind{0, 0}, Options: []sql.Option{
		{Key: "rows-per-second", Value: "0"}, {Key: "number-of-rows", Value: "50"}, {Key: "streamsql.seed", Value: "3"},
		{Key: "fields.small.min", Value: "-5"}, {Key: "fields.small.max", Value: "5"},
		// only 'min': 'max' defaults to the type's maximum, through the float path
		{Key: "fields.wide.min", Value: "0"},
	}}
	s, err := NewSource(td, nil)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := types.DecimalValue(-500, 2), types.DecimalValue(500, 2)
	widest := types.BigDecimalValue(new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil), big.NewInt(1)), 0)
	rows := drain(t, s)
	if len(rows) != 50 {
		t.Fatalf("got %d rows, want 50", len(rows))
	}
	for i, r := range rows {
		if types.Compare(r[0], lo) < 0 || types.Compare(r[0], hi) > 0 {
			t.Fatalf("row %d: small = %s, want within -5.00..5.00", i, types.DecimalString(r[0]))
		}
		if types.Compare(r[1], types.DecimalValue(0, 0)) < 0 || types.Compare(r[1], widest) > 0 {
			t.Fatalf("row %d: wide = %s, want within 0..10^20-1", i, types.DecimalString(r[1]))
		}
	}
}

// A DECIMAL without 'min'/'max' spreads over the type's whole range
// (DECIMAL(5,2) used to give 999.00 on every row).
func TestDecimalDefaultRange(t *testing.T) {
	td := &planner.TableDesc{Name: "g", Columns: planner.Schema{
		{Name: "d", Type: types.DecimalType(5, 2)}, {Name: "w", Type: types.DecimalType(30, 3)},
	}, Kinds: []sql.ColumnKind{0, 0}, Options: []sql.Option{
		{Key: "rows-per-second", Value: "0"}, {Key: "number-of-rows", Value: "2000"}, {Key: "streamsql.seed", Value: "5"},
	}}
	s, err := NewSource(td, nil)
	if err != nil {
		t.Fatal(err)
	}
	// bounds worked out by hand: ±999.99 and ±(10^27 - 0.001)
	lo, hi := types.DecimalValue(-99999, 2), types.DecimalValue(99999, 2)
	wmax := new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil), big.NewInt(1))
	whi := types.BigDecimalValue(wmax, 3)
	wlo := types.BigDecimalValue(new(big.Int).Neg(wmax), 3)
	half := types.BigDecimalValue(new(big.Int).Exp(big.NewInt(10), big.NewInt(29), nil), 3) // 10^26
	nhalf := types.BigDecimalValue(new(big.Int).Neg(new(big.Int).Exp(big.NewInt(10), big.NewInt(29), nil)), 3)
	rows := drain(t, s)
	distinct := map[string]bool{}
	var neg, pos, small, wneg, wpos, wsmall int
	for i, r := range rows {
		if types.Compare(r[0], lo) < 0 || types.Compare(r[0], hi) > 0 {
			t.Fatalf("row %d: d = %s, want within -999.99..999.99", i, types.DecimalString(r[0]))
		}
		if types.Compare(r[1], wlo) < 0 || types.Compare(r[1], whi) > 0 {
			t.Fatalf("row %d: w = %s, out of DECIMAL(30,3)", i, types.DecimalString(r[1]))
		}
		distinct[types.DecimalString(r[0])] = true
		switch c := types.Compare(r[0], types.DecimalValue(0, 0)); {
		case c < 0:
			neg++
		case c > 0:
			pos++
		}
		if types.Compare(r[0], types.DecimalValue(-50000, 2)) > 0 && types.Compare(r[0], types.DecimalValue(50000, 2)) < 0 {
			small++ // |d| < 500: half the range
		}
		switch c := types.Compare(r[1], types.DecimalValue(0, 0)); {
		case c < 0:
			wneg++
		case c > 0:
			wpos++
		}
		if types.Compare(r[1], nhalf) > 0 && types.Compare(r[1], half) < 0 {
			wsmall++ // |w| < 10^26: a tenth of the range
		}
	}
	// uniform over 199999 values: 2000 draws are nearly all distinct, about
	// half negative, half within ±500; a tenth of w within ±10^26
	if len(distinct) < 1900 || neg < 800 || pos < 800 || small < 800 || small > 1200 {
		t.Fatalf("d not spread: %d distinct, %d negative, %d positive, %d within ±500", len(distinct), neg, pos, small)
	}
	if wneg < 800 || wpos < 800 || wsmall < 120 || wsmall > 290 {
		t.Fatalf("w not spread: %d negative, %d positive, %d within ±10^26", wneg, wpos, wsmall)
	}
}
