package runtime

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/planner"
)

// checkTarget refuses SET 'execution.target' = 'kafka-group' by name: the
// membership layer (runtime/cluster) exists, but the dataflow does not yet
// run across instances, and running such a job in this process alone
// would quietly compute a different answer from the one asked for (each
// instance would read every partition).
func checkTarget(g *planner.Graph) error {
	t := strings.TrimSpace(g.Settings[planner.SettingExecutionTarget])
	if t == "" || t == planner.TargetLocal {
		return nil
	}
	return fmt.Errorf("SET '%s' = '%s': running one job across instances is not built yet: "+
		"instances join the job's consumer group and are assigned tasks, but repartition topics, "+
		"changelog state and exactly-once across instances are not (docs/scale-out.md, issue 14); "+
		"RESET '%s' (or SET it to '%s') to run the job in this process",
		planner.SettingExecutionTarget, t, planner.SettingExecutionTarget, planner.TargetLocal)
}
