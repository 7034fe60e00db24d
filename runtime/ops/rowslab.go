package ops

import (
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// rowSlab carves an operator's output rows of one width from shared
// slabs instead of one allocation per row. With reuse (every consumer a
// core.Borrower, so no emitted row outlives the call that emitted it)
// reset keeps the last slab for the next call; without, reset drops it
// and each call's rows come from new slabs (which the rows keep alive
// while a consumer holds them).
type rowSlab struct {
	width int
	vals  []types.Value
	reuse bool
}

func (s *rowSlab) reset() {
	if s.reuse {
		s.vals = s.vals[:0]
	} else {
		s.vals = nil
	}
}

// copyOf is a row of the slab holding r's values (len(r) == width).
func (s *rowSlab) copyOf(r core.Row) core.Row {
	n := len(s.vals)
	if n+s.width > cap(s.vals) {
		// a new slab; rows already carved keep the old one
		s.vals, n = make([]types.Value, 0, max(64*s.width, 2*cap(s.vals))), 0
	}
	s.vals = s.vals[:n+s.width]
	row := s.vals[n : n+s.width : n+s.width]
	copy(row, r)
	return row
}
