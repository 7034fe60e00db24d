package runtime

import (
	"io"

	"github.com/streamsql/streamsql/planner"
)

// Validate checks a planned graph the way Build does, opening nothing
// and running nothing: every table's connector exists, can be read or
// written as the graph uses it and accepts the table's WITH options (and
// its format's), every operator can be built, the checkpoint and
// delivery options agree. `streamsql explain` calls it so that EXPLAIN
// refuses what `run` refuses, as Flink validates connector options while
// planning. What only the environment can tell (a file that does not
// exist, a broker that does not answer) is left to the run.
func Validate(g *planner.Graph) error {
	if g == nil {
		return nil
	}
	_, err := Build(g, Options{Stdout: io.Discard, Stderr: io.Discard})
	return err
}
