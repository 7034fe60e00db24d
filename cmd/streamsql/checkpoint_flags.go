package main

import (
	"path/filepath"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/urfave/cli/v2"
)

// Checkpoint flags of `streamsql run` (docs/checkpoints.md).
func checkpointFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "state-dir", Usage: "where checkpoints are kept (default .streamsql/<pipeline.name or file name>); used when SET 'execution.checkpointing.interval' is given or --from-checkpoint"},
		&cli.StringFlag{Name: "from-checkpoint", Usage: "restore this checkpoint (STATE_DIR/checkpoints/chk-N) instead of the latest"},
		&cli.BoolFlag{Name: "allow-non-restored-state", Usage: "start operators whose checkpointed state does not match the query empty instead of refusing to run"},
	}
}

// checkpointOptions fills the checkpoint part of runtime.Options.
func checkpointOptions(c *cli.Context, path string, job *planner.Job, o *runtime.Options) {
	name := strings.TrimSpace(job.Graph.Settings["pipeline.name"])
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	o.JobName = name
	o.StateDir = c.String("state-dir")
	o.FromCheckpoint = c.String("from-checkpoint")
	if o.StateDir == "" && o.FromCheckpoint == "" {
		o.StateDir = filepath.Join(".streamsql", safeName(name))
	}
	o.AllowNonRestoredState = c.Bool("allow-non-restored-state")
}

// safeName keeps a pipeline name usable as a directory name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, s)
}

// stateDirOf is the directory the job's checkpoints go to.
func stateDirOf(o runtime.Options) string {
	if o.StateDir == "" && o.FromCheckpoint != "" {
		return filepath.Dir(filepath.Dir(o.FromCheckpoint))
	}
	return o.StateDir
}
