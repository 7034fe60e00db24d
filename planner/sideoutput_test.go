package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql/types"
)

const sideSQL = `CREATE TABLE ev (a STRING, b BIGINT, c STRING, t TIMESTAMP(3),
  WATERMARK FOR t AS t - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', 'path' = 'x', 'format' = 'json'%s);
CREATE TABLE late (c STRING, b BIGINT, window_end TIMESTAMP(3), current_watermark TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
CREATE TABLE bad (raw BYTES, location STRING, error STRING) WITH ('connector' = 'print');
CREATE TABLE out (a STRING, n BIGINT) WITH ('connector' = 'print');
%s
INSERT INTO out SELECT a, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(t), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, a;`

func sprintf(f string, a ...any) string { return fmt.Sprintf(f, a...) }

func nodesOf[T Op](g *Graph) []*Node {
	var out []*Node
	for _, n := range g.Nodes {
		if _, ok := n.Op.(T); ok {
			out = append(out, n)
		}
	}
	return out
}

// Without the options the plan has no side outputs and the window reads
// only what the query needs; with them, the late table's source columns
// are appended after the columns already there (nothing moves), the
// special fields are typed, and one sink per declared table is added.
func TestSideOutputsPlan(t *testing.T) {
	off := mustPlan(t, sprintf(sideSQL, "", "")).Graph
	if len(nodesOf[*SideOutputOp](off)) != 0 || len(nodesOf[*SinkOp](off)) != 1 {
		t.Fatalf("options off: want no side output and one sink, got %d nodes", len(off.Nodes))
	}
	wOff := nodesOf[*WindowAggOp](off)[0]
	on := mustPlan(t, sprintf(sideSQL, ", 'dead-letter.table' = 'bad'", "SET 'table.exec.late-rows.table' = 'late';")).Graph
	w := nodesOf[*WindowAggOp](on)[0]
	in, inOff := w.Inputs[0].Schema, wOff.Inputs[0].Schema
	if len(in) != len(inOff)+2 {
		t.Fatalf("window input %v, want %v plus c and b", in, inOff)
	}
	for i := range inOff {
		if in[i].Name != inOff[i].Name {
			t.Errorf("window input column %d is %s, was %s: columns must not move", i, in[i].Name, inOff[i].Name)
		}
	}
	if in[len(inOff)].Name != "c" || in[len(inOff)+1].Name != "b" {
		t.Errorf("appended %v, want c, b", in[len(inOff):])
	}
	sides := nodesOf[*SideOutputOp](on)
	if len(sides) != 2 || len(nodesOf[*SinkOp](on)) != 3 {
		t.Fatalf("want 2 side outputs and 3 sinks, got %d and %d", len(sides), len(nodesOf[*SinkOp](on)))
	}
	for _, s := range sides {
		op := s.Op.(*SideOutputOp)
		switch op.Kind {
		case SideLateRows:
			if s.Inputs[0] != w {
				t.Errorf("late rows read %s, want the window aggregate", s.Inputs[0].Name())
			}
			want := []SideField{{Input: [2]int{len(inOff), -1}}, {Input: [2]int{len(inOff) + 1, -1}}, {Special: "window_end", Input: [2]int{-1, -1}}, {Special: "current_watermark", Input: [2]int{-1, -1}}}
			for i, f := range op.Fields {
				if f != want[i] {
					t.Errorf("late field %d: %+v, want %+v", i, f, want[i])
				}
			}
			// the rowtime is TIMESTAMP(3), the column TIMESTAMP_LTZ(3): a CAST Calc
			if s.Schema[3].Type.Kind != types.Timestamp {
				t.Errorf("current_watermark is %s, want the rowtime's TIMESTAMP(3)", s.Schema[3].Type)
			}
		case SideDeadLetter:
			if _, ok := s.Inputs[0].Op.(*SourceOp); !ok {
				t.Errorf("dead letters read %s, want the source", s.Inputs[0].Name())
			}
			for i, name := range []string{"raw", "location", "error"} {
				if op.Fields[i].Special != name {
					t.Errorf("dead-letter field %d: %q, want %q", i, op.Fields[i].Special, name)
				}
			}
		}
	}
	for i, n := range on.Nodes {
		if n.ID != i {
			t.Fatalf("node %d has ID %d", i, n.ID)
		}
		for _, x := range n.Inputs {
			if x.ID >= n.ID {
				t.Fatalf("not topological: %d reads %d", n.ID, x.ID)
			}
		}
	}
}

func TestSideOutputErrors(t *testing.T) {
	cases := []struct{ opt, set, replace, want string }{
		{"", "SET 'table.exec.late-rows.table' = 'nope';", "", `unknown table "nope"`},
		{", 'dead-letter.table' = 'ev'", "", "", "names the table itself"},
		{", 'dead-letter.table' = 'late'", "", "", `column "c" of table "late" matches no dead-letter field`},
		{"", "SET 'table.exec.late-rows.table' = 'late';", "window_end TIMESTAMP(3)", `column "window_end" of table "late" is STRING`},
	}
	for _, c := range cases {
		src := sprintf(sideSQL, c.opt, c.set)
		if c.replace != "" {
			src = strings.Replace(src, c.replace, "window_end STRING", 1)
		}
		_, err := planText(t, src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: error %v, want %q", c.opt, c.set, err, c.want)
		}
	}
}
