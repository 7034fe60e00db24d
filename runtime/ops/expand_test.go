package ops

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// batchCollector keeps every emitted batch.
type batchCollector struct{ batches []*core.Batch }

func (c *batchCollector) Emit(b *core.Batch) error {
	c.batches = append(c.batches, b)
	return nil
}

// TestExpandKeepsKindsAndWatermarks: each input row becomes one row per
// grouping set, in set order, with the set's columns nulled and its id
// appended; the row's change kind and watermark go with every copy, and
// the input batch is left as it was.
func TestExpandKeepsKindsAndWatermarks(t *testing.T) {
	op := NewExpand(&planner.ExpandOp{Nulls: [][]int{nil, {1}, {0, 1}}, IDs: []int64{0, 1, 3}})
	in := &core.Batch{
		Rows:       []core.Row{{types.StringValue("a"), types.IntValue(1), types.IntValue(10)}, {types.StringValue("b"), types.IntValue(2), types.IntValue(20)}},
		Kinds:      []core.RowKind{core.Insert, core.Delete},
		Watermarks: []int64{5, 7},
	}
	var out batchCollector
	if err := op.ProcessBatch(0, in, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.batches) != 1 {
		t.Fatalf("%d batches, want 1", len(out.batches))
	}
	b := out.batches[0]
	want := []string{
		`+I@5 ["a", INT:1, INT:10, BIGINT:0]`, `+I@5 ["a", NULL, INT:10, BIGINT:1]`, `+I@5 [NULL, NULL, INT:10, BIGINT:3]`,
		`-D@7 ["b", INT:2, INT:20, BIGINT:0]`, `-D@7 ["b", NULL, INT:20, BIGINT:1]`, `-D@7 [NULL, NULL, INT:20, BIGINT:3]`,
	}
	var got []string
	for i, r := range b.Rows {
		got = append(got, b.Kinds[i].String()+"@"+itoa(b.Watermarks[i])+" "+fmtRow(r))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if in.Rows[0][1].IsNull() || len(in.Rows[0]) != 3 {
		t.Errorf("the input batch was changed: %v", fmtRow(in.Rows[0]))
	}
}

func itoa(x int64) string {
	return types.FormatValue(types.Value{K: types.BigInt, I: x}, types.Type{Kind: types.BigInt}, nil)
}
