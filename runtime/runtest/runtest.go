// Package runtest runs SQL end to end for tests: sql.Parse, planner.Plan,
// runtime.Build and Job.Run in one call, so that a test states its query
// and its expectations and not the plumbing. Production code does not
// import it.
package runtest

import (
	"bytes"
	"context"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/sql"
)

// Plan parses src (called name in error positions) and plans it.
func Plan(name, src string) (*planner.Job, error) {
	script, err := sql.Parse(name, []byte(src))
	if err != nil {
		return nil, err
	}
	return planner.Plan(script)
}

// Build plans src and builds its job with opts.
func Build(name, src string, opts runtime.Options) (*runtime.Job, error) {
	job, err := Plan(name, src)
	if err != nil {
		return nil, err
	}
	return runtime.Build(job.Graph, opts)
}

// Output is what a run left behind.
type Output struct {
	Stdout  string // what print sinks wrote (unless opts.Stdout was set)
	Stderr  string // warnings (unless opts.Stderr was set)
	Summary runtime.Summary
}

// Run builds src with opts and runs it to the end (or until ctx ends).
// Standard output and error are captured unless opts names writers. When
// the job cannot be built, Output is empty.
func Run(ctx context.Context, name, src string, opts runtime.Options) (Output, error) {
	var stdout, stderr bytes.Buffer
	if opts.Stdout == nil {
		opts.Stdout = &stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = &stderr
	}
	rj, err := Build(name, src, opts)
	if err != nil {
		return Output{}, err
	}
	err = rj.Run(ctx)
	return Output{Stdout: stdout.String(), Stderr: stderr.String(), Summary: rj.Summary()}, err
}
