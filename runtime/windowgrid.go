package runtime

import (
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
)

// Watermarks as soon as they can close a window (docs/semantics.md,
// "Time and watermarks"). A live source emits its watermark every
// pipeline.auto-watermark-interval, as Flink does; in addition it emits
// it right after a poll whose rows moved it past the end of a window of
// the query (window_end - 1 ms), so that the window's result leaves
// within the poll rather than up to one interval later. Flink waits for
// the interval; we go past it for latency. Results do not change: a
// replay moves the watermark after every row anyway, and live the rows
// of the poll are handed on before the watermark, as on a tick.
//
// The windows downstream of a source fire on a grid: TUMBLE at multiples
// of its size, HOP of its slide, CUMULATE of its step, plus the offset
// (SESSION windows have no grid: they wait for the tick). The grid is
// the epoch's (UTC); a TIMESTAMP_LTZ window aligned to another time zone
// is shifted by the zone's offset, which can only delay an emission to
// the next tick, never change a result.

// fireGrid is one window's firing times: window ends at k*period+offset.
type fireGrid struct{ period, offset int64 }

// windowGrids lists the grids of the windows downstream of src (window
// aggregations, and window TVFs, whose windows a window join, Top-N or
// deduplication behind them fires).
func windowGrids(g *planner.Graph, src *planner.Node) []fireGrid {
	consumers := map[*planner.Node][]*planner.Node{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			consumers[in] = append(consumers[in], n)
		}
	}
	var out []fireGrid
	seen := map[*planner.Node]bool{}
	var walk func(n *planner.Node)
	walk = func(n *planner.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		var w *planner.WindowSpec
		switch op := n.Op.(type) {
		case *planner.WindowAggOp:
			w = &op.Window
		case *planner.WindowTVFOp:
			w = &op.Window
		}
		if w != nil {
			if p := gridPeriod(w); p > 0 {
				out = append(out, fireGrid{period: p, offset: w.Offset % p})
			}
		}
		for _, c := range consumers[n] {
			walk(c)
		}
	}
	walk(src)
	return out
}

// gridPeriod is the distance between a window kind's ends (0: none).
func gridPeriod(w *planner.WindowSpec) int64 {
	switch {
	case w.Slide > 0:
		return w.Slide
	case w.Step > 0:
		return w.Step
	case w.Gap > 0:
		return 0
	}
	return w.Size
}

// closesWindow reports whether moving the watermark from old to cw
// reaches the last millisecond of some window on one of the grids.
func closesWindow(grids []fireGrid, old, cw int64) bool {
	if old == core.MinWatermark {
		return true
	}
	for _, g := range grids {
		// a window ending at e fires once the watermark is >= e - 1
		if floorDiv(cw+1-g.offset, g.period) > floorDiv(old+1-g.offset, g.period) {
			return true
		}
	}
	return false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
