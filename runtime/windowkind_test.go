package runtime_test

import (
	"context"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/streamsql/streamsql/sql/window"
)

// nested is a window kind that exists only in this test: a row at t falls
// in [s, s+size) and [s, s+2*size), s = t - t mod size. Registering its
// descriptor is all it takes: the dialect rewrite, the planner (TVF and
// legacy GROUP BY form, auxiliary functions, EXPLAIN) and the runtime's
// assigner all read it.
var nested = window.Descriptor{
	Kind: 200, Name: "NESTED", GroupWindow: true,
	Params: []window.Param{{Name: "SIZE", Label: "size", Field: func(s *window.Sizes) *int64 { return &s.Size }}},
	Assign: func(s *window.Sizes, t int64, dst []window.Span) []window.Span {
		start := t - t%s.Size
		return append(dst, window.Span{Start: start, End: start + s.Size}, window.Span{Start: start, End: start + 2*s.Size})
	},
	PerRow: func(window.Sizes) int64 { return 2 },
}

func TestNewWindowKindIsOneDescriptor(t *testing.T) {
	if window.ByName(nested.Name) == nil { // -count=N runs this again
		if err := window.Register(&nested); err != nil {
			t.Fatal(err)
		}
	}
	// rows at 1 s, 4 s and 12 s; windows of 10 s:
	//   [0, 10): 1 s, 4 s          [0, 20): 1 s, 4 s
	//   [10, 20): 12 s             [10, 30): 12 s
	// emitted by window end, then start.
	in := jsonInput(t, `{"t": 1000}
{"t": 4000}
{"t": 12000}
`)
	ddl := `CREATE TABLE src (t BIGINT, ts AS TO_TIMESTAMP_LTZ(t, 3), WATERMARK FOR ts AS ts)
WITH ('connector' = 'filesystem', 'path' = '` + in + `', 'format' = 'json');
`
	want := `+I[1970-01-01 00:00:00.000, 1970-01-01 00:00:10.000, 2]
+I[1970-01-01 00:00:00.000, 1970-01-01 00:00:20.000, 2]
+I[1970-01-01 00:00:10.000, 1970-01-01 00:00:20.000, 1]
+I[1970-01-01 00:00:10.000, 1970-01-01 00:00:30.000, 1]
`
	for name, q := range map[string]string{
		"tvf":       "SELECT window_start, window_end, COUNT(*) FROM TABLE(NESTED(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;",
		"named tvf": "SELECT window_start, window_end, COUNT(*) FROM TABLE(NESTED(DATA => TABLE src, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' SECOND)) GROUP BY window_start, window_end;",
		"legacy":    "SELECT NESTED_START(ts, INTERVAL '10' SECOND), NESTED_END(ts, INTERVAL '10' SECOND), COUNT(*) FROM src GROUP BY NESTED(ts, INTERVAL '10' SECOND);",
	} {
		t.Run(name, func(t *testing.T) {
			o, err := runtest.Run(context.Background(), "t.sql", ddl+q, runtime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if o.Stdout != want {
				t.Errorf("rows:\n%s\nwant:\n%s", o.Stdout, want)
			}
		})
	}
	job, err := runtest.Plan("t.sql", ddl+"EXPLAIN SELECT window_start, COUNT(*) FROM TABLE(NESTED(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;")
	if err != nil {
		t.Fatal(err)
	}
	if got := job.Explain(); !strings.Contains(got, "window=[NESTED(time_col=[ts], size=[10 s])]") {
		t.Errorf("EXPLAIN lacks the window text:\n%s", got)
	}
	// Its usage text comes from the descriptor too.
	_, err = runtest.Plan("t.sql", ddl+"SELECT COUNT(*) FROM src GROUP BY NESTED(ts, INTERVAL '1' SECOND, INTERVAL '1' SECOND);")
	if err == nil || !strings.Contains(err.Error(), "NESTED(time_attr, size)") {
		t.Errorf("arity error %v, want the usage NESTED(time_attr, size)", err)
	}
}
