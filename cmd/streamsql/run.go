package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/progress"
	"github.com/streamsql/streamsql/sql"
	"github.com/urfave/cli/v2"
)

// load parses and plans a .sql file.
func load(path string) (*planner.Job, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	script, err := sql.Parse(path, src)
	if err != nil {
		return nil, err
	}
	return planner.Plan(script)
}

func fileArg(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", cli.Exit(fmt.Sprintf("%s needs one .sql file%s (see 'streamsql %s --help')", c.Command.Name, flagsAfterArgs(c), c.Command.Name), 2)
	}
	return c.Args().First(), nil
}

// flagsAfterArgs explains a common slip: flags written after the file are
// taken as more arguments, because flags must come first. The command it
// suggests moves everything after the file (flags and their values) in
// front of it.
func flagsAfterArgs(c *cli.Context) string {
	args := c.Args().Slice()
	if len(args) < 2 {
		return ""
	}
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") {
			return fmt.Sprintf("; %q came after it, but flags go before the file: streamsql %s %s %s", a, c.Command.Name, strings.Join(args[1:], " "), args[0])
		}
	}
	return ""
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run the INSERT statements of a .sql file as one streaming job",
		ArgsUsage: "FILE.sql",
		Description: `Parses FILE.sql, plans every INSERT INTO (or the EXECUTE STATEMENT SET) into one
operator graph and runs it. A job over bounded inputs (files) ends when they are
exhausted: every window fires, sinks are flushed and streamsql exits 0. An
unbounded job runs until Ctrl-C. A summary (rows read and written, late rows
dropped, malformed rows skipped) is printed to standard error at the end.`,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "do not print the summary"},
		}, append(observeFlags(), checkpointFlags()...)...),
		Action: func(c *cli.Context) error {
			path, err := fileArg(c)
			if err != nil {
				return err
			}
			job, err := load(path)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			// EXPLAIN statements print their plans, as in Flink's SQL client.
			fmt.Fprint(c.App.Writer, job.ExplainStatements())
			if job.Graph == nil {
				if len(job.Explains) > 0 {
					return nil
				}
				return cli.Exit(path+": nothing to run: the file has no INSERT and no SELECT", 1)
			}
			obs, err := newObserver(c)
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			opts := runtime.Options{Stdout: obs.stdout(c.App.Writer), Stderr: c.App.ErrWriter}
			checkpointOptions(c, path, job, &opts)
			rj, err := runtime.Build(job.Graph, opts)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			boundHeap(job.Graph.Settings, c.App.ErrWriter)
			if err := obs.start(c.Context, rj, jobName(path)); err != nil {
				return cli.Exit(err.Error(), 1)
			}
			runErr := rj.Run(c.Context)
			obs.finish()
			if !c.Bool("quiet") {
				fmt.Fprintln(c.App.ErrWriter, "streamsql:", rj.Summary())
				fmt.Fprint(c.App.ErrWriter, progress.Details(rj.Progress()))
			}
			if runErr != nil {
				return cli.Exit(runErr.Error(), 1)
			}
			return nil
		},
	}
}

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "print the logical and physical plan of a .sql file",
		ArgsUsage: "FILE.sql",
		Description: `Shows how streamsql will run FILE.sql: the logical plan and the physical
operator graph, with column names and types, the watermark, window specs, keys and
each node's changelog mode ([I]: insert-only). Nothing is read or written.
--format=dot prints the physical operator graph for Graphviz; --format=svg renders
it with Graphviz's dot command when installed.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, dot (Graphviz source of the operator graph) or svg (rendered with Graphviz's dot)"},
		},
		Action: func(c *cli.Context) error {
			path, err := fileArg(c)
			if err != nil {
				return err
			}
			job, err := load(path)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			if err := writeExplain(c.App.Writer, job, jobName(path), c.String("format")); err != nil {
				return cli.Exit(err.Error(), 1)
			}
			return nil
		},
	}
}
