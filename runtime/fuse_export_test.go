package runtime

import (
	"fmt"

	"github.com/streamsql/streamsql/planner"
)

// SetFuseCalcs switches fusing Calcs into window aggregations on or off;
// it returns a function restoring the default.
func SetFuseCalcs(on bool) (restore func()) {
	old := fuseCalcs
	fuseCalcs = on
	return func() { fuseCalcs = old }
}

// FusedCalcs counts the job's Calc nodes that run as a pass-through.
func FusedCalcs(j *Job) int {
	n := 0
	for _, x := range j.nodes {
		if _, calc := x.plan.Op.(*planner.CalcOp); calc && fmt.Sprintf("%T", x.op) == "ops.passThrough" {
			n++
		}
	}
	return n
}
