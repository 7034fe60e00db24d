package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/state"
)

// checkpointingOn reports whether the graph's settings turn periodic
// checkpoints on (SET 'execution.checkpointing.interval' to a positive
// duration); an invalid value is the runtime's error to report.
func checkpointingOn(g *planner.Graph) bool {
	s := strings.TrimSpace(g.Settings["execution.checkpointing.interval"])
	if s == "" {
		return false
	}
	d, err := connector.ParseDuration(s)
	return err == nil && d > 0
}

// rereads finds the Kafka tables of a job that would be read again from
// the start and written again if the job ran a second time from scratch:
// sources read from 'earliest-offset' and Kafka sinks (both empty when
// the job is not like that).
func rereads(g *planner.Graph) (from, to []string) {
	for _, n := range g.Nodes {
		switch op := n.Op.(type) {
		case *planner.SourceOp:
			if op.Table.Connector != "kafka" {
				continue
			}
			if mode, _ := op.Table.Option("scan.startup.mode"); strings.EqualFold(strings.TrimSpace(mode), "earliest-offset") {
				topic, _ := op.Table.Option("topic")
				from = append(from, fmt.Sprintf("%s (topic %s)", op.Table.Name, topic))
			}
		case *planner.SinkOp:
			if op.Table.Connector == "kafka" {
				topic, _ := op.Table.Option("topic")
				to = append(to, fmt.Sprintf("%s (topic %s)", op.Table.Name, topic))
			}
		}
	}
	if len(from) == 0 || len(to) == 0 {
		return nil, nil
	}
	return from, to
}

// rerunWarning is the warning printed when a job starts that would write
// its whole output again if it were run again: it reads a Kafka topic from
// 'earliest-offset', writes to Kafka, and checkpointing is off, so nothing
// remembers where it stopped. "" when the job is not such a job.
func rerunWarning(g *planner.Graph, stateDir string) string {
	if g == nil || checkpointingOn(g) {
		return ""
	}
	from, to := rereads(g)
	if from == nil {
		return ""
	}
	where := ""
	if stateDir != "" {
		where = fmt.Sprintf("; state in %s, or --state-dir", stateDir)
	}
	return fmt.Sprintf("warning: %s is read from 'earliest-offset' and checkpointing is off: running this job again reads the topic from the start and writes every result to %s a second time.\n"+
		"  To resume where a run stopped instead, either SET 'execution.checkpointing.interval' = '10 s' (a savepoint is taken on Ctrl-C and the next run restores it%s),\n"+
		"  or read with 'scan.startup.mode' = 'group-offsets' and a 'properties.group.id' (the committed offsets say where to go on).",
		strings.Join(from, ", "), strings.Join(to, ", "), where)
}

// stopReport says, after a job stopped on Ctrl-C, whether a savepoint was
// taken and where it is.
func stopReport(g *planner.Graph, rj *runtime.Job, stateDir string) string {
	if !checkpointingOn(g) {
		return "stopped; no savepoint was taken: checkpointing is off (SET 'execution.checkpointing.interval' = '10 s' to take one on stop and resume from it)"
	}
	last := rj.Progress().LastCheckpoint
	if last == nil {
		return "stopped; no savepoint was taken"
	}
	path := filepath.Join(stateDir, "checkpoints", state.ManifestName(last.ID))
	return fmt.Sprintf("stopped with savepoint %d at %s; running the job again with the same state directory resumes from it (or --from-checkpoint %s)", last.ID, path, path)
}
