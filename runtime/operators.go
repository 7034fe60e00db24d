package runtime

import (
	"fmt"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/ops"
)

// newOperator builds the runtime operator for a physical plan node. Every
// operator kind the planner emits is listed here, in one place.
func newOperator(n *planner.Node, ctx *core.Context) (core.Operator, error) {
	switch op := n.Op.(type) {
	case *planner.CalcOp:
		return ops.NewCalc(op, ctx)
	case *planner.UnionOp:
		return ops.NewUnion(), nil
	case *planner.ExpandOp:
		return ops.NewExpand(op), nil
	case *planner.ChangelogNormalizeOp:
		return ops.NewChangelogNormalize(op, ctx)
	case *planner.GroupAggOp:
		return ops.NewGroupAgg(op, n.Inputs[0].Schema, ctx)
	case *planner.RankOp:
		return ops.NewRank(op, n.Inputs[0].Schema, ctx)
	case *planner.OverAggOp:
		return ops.NewOverAgg(op, n.Inputs[0].Schema, ctx)
	case *planner.WindowAggOp:
		return ops.NewWindowAgg(op, n.Inputs[0].Schema, n.Schema, ctx)
	case *planner.WindowTVFOp:
		return ops.NewWindowTVF(op, n.Inputs[0].Schema, ctx)
	case *planner.JoinOp:
		return ops.NewJoin(op, n.Inputs[0].Schema, n.Inputs[1].Schema, ctx)
	case *planner.IntervalJoinOp:
		return ops.NewIntervalJoin(op, n.Inputs[0].Schema, n.Inputs[1].Schema, ctx)
	case *planner.TemporalJoinOp:
		return ops.NewTemporalJoin(op, n.Inputs[0].Schema, n.Inputs[1].Schema, ctx)
	case *planner.WindowJoinOp:
		return ops.NewWindowJoin(op, n.Inputs[0].Schema, n.Inputs[1].Schema, ctx)
	case *planner.SideOutputOp:
		return ops.NewSideOutput(op, n.Schema)
	}
	return nil, fmt.Errorf("no runtime operator for %s", n.Name())
}
