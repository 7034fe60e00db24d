package planner

import (
	"strings"

	"github.com/streamsql/streamsql/sql/window"
)

// Window propagation (Flink's WindowAttachedWindowingStrategy): a
// GROUP BY window_start, window_end over the output of a window operator
// (a window aggregation, window join or window Top-N, seen through
// projections and filters that keep both columns) is a window aggregation
// over the same windows, each row belonging to the window its
// window_start and window_end name. Flink's documentation shows it as a
// cascading window aggregation:
//
//	SELECT window_start, window_end, SUM(partial_price) FROM (
//	  SELECT window_start, window_end, supplier_id, SUM(price) AS partial_price
//	  FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))
//	  GROUP BY window_start, window_end, supplier_id)
//	GROUP BY window_start, window_end
//
// The windowed input emits a window's rows when the watermark passes its
// end and forwards the watermark after them, so the outer aggregation
// fires each window right after its rows and never finds one late.
// EXPLAIN prints the window as Flink does:
// TUMBLE(win_start=[window_start], win_end=[window_end], size=[5 min]).

// attachWindow returns in as a pending window TVF whose windows are
// attached to its rows' window_start and window_end, or nil and why not
// ("" when the windowed input is a window TVF, whose own reason stands).
func (p *planner) attachWindow(in *rel) (*rel, string) {
	n := in.node
	for {
		if _, ok := n.Op.(*CalcOp); !ok {
			break
		}
		n = n.Inputs[0]
	}
	switch n.Op.(type) {
	case *WindowAggOp, *WindowJoinOp, *RankOp:
	case *WindowTVFOp:
		return nil, ""
	default:
		return nil, "the windowed input is a " + n.Name() + ", neither a window TVF nor a window operator"
	}
	if window.Of(in.win.spec.Kind).Merging {
		return nil, "propagating a " + in.win.spec.Kind.String() + " window is not supported"
	}
	w := len(in.node.Schema)
	out := &rel{node: in.node, lg: in.lg, pos: in.pos}
	for _, c := range in.cols {
		switch c.idx {
		case in.win.start:
			c.idx = w
		case in.win.end:
			c.idx = w + 1
		case in.win.time:
			c.idx = w + 2
		}
		c.t = c.t.WithoutRowtime()
		out.cols = append(out.cols, c)
	}
	spec := in.win.spec
	spec.Attached, spec.StartCol, spec.TimeCol = true, in.win.start, in.win.end
	end := in.node.Schema[in.win.end].Type
	end.Rowtime = true
	out.tvf = &pendingTVF{spec: spec, text: attachedText(spec), n: w, lg: in.lg, time: end}
	return out, ""
}

// attachedText is an attached window as EXPLAIN prints it.
func attachedText(s WindowSpec) string {
	d := window.Of(s.Kind)
	parts := append([]string{"win_start=[window_start]", "win_end=[window_end]"}, d.ExplainText(s.Sizes())...)
	return d.Name + "(" + strings.Join(parts, ", ") + ")"
}
