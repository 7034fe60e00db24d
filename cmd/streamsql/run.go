package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/progress"
	"github.com/streamsql/streamsql/sql"
	"github.com/urfave/cli/v2"
)

// stdinName is how SQL read from standard input ('run -') is named in
// errors and as the default job name.
const stdinName = "stdin"

// load parses and plans a .sql file.
func load(path string) (*planner.Job, error) {
	src, err := readSQLFile(path)
	if err != nil {
		return nil, err
	}
	return plan(path, src)
}

// loadArg is load for a command-line argument, where "-" reads standard
// input.
func loadArg(path string, stdin io.Reader) (*planner.Job, error) {
	if path != "-" {
		return load(path)
	}
	if stdin == nil {
		stdin = os.Stdin
	}
	src, err := io.ReadAll(stdin)
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	return plan(stdinName, src)
}

// plan parses and plans SQL text.
func plan(name string, src []byte) (*planner.Job, error) {
	script, err := sql.Parse(name, src)
	if err != nil {
		return nil, err
	}
	return planner.Plan(script)
}

// readSQLFile reads a file named on the command line. A missing file is
// reported with the absolute path that was tried and the working
// directory a relative name was resolved against.
func readSQLFile(path string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	return src, nil
}

// fileError explains a file that could not be opened: which path was
// tried and, for a relative one, from which working directory.
func fileError(path string, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if filepath.IsAbs(path) {
		return fmt.Errorf("%s: no such file", path)
	}
	wd, werr := os.Getwd()
	if werr != nil {
		return fmt.Errorf("%s: no such file (relative to the working directory, which cannot be read: %v)", path, werr)
	}
	return fmt.Errorf("%s: no such file: tried %s (a relative path is resolved against the working directory %s)", path, filepath.Join(wd, path), wd)
}

// checkRelativePaths finds filesystem source tables whose relative 'path'
// does not exist and says where it was looked for: relative paths in the
// SQL resolve against the working directory, not the .sql file's.
func checkRelativePaths(g *planner.Graph) error {
	if g == nil {
		return nil
	}
	for _, n := range g.Nodes {
		src, ok := n.Op.(*planner.SourceOp)
		if !ok || src.Table.Connector != "filesystem" {
			continue
		}
		for _, o := range src.Table.Options {
			if o.Key != "path" || o.Value == "" || filepath.IsAbs(o.Value) {
				continue
			}
			if _, err := os.Stat(o.Value); errors.Is(err, fs.ErrNotExist) {
				wd, _ := os.Getwd()
				return sql.Errorf(o.ValuePos, "table %s: 'path' = '%s' does not exist: tried %s (a relative 'path' is resolved against the working directory %s, not against the .sql file; run from the directory it is relative to, or write an absolute path)",
					src.Table.Name, o.Value, filepath.Join(wd, o.Value), wd)
			}
		}
	}
	return nil
}

func fileArg(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", cli.Exit(fmt.Sprintf("%s needs one .sql file (or - for standard input)%s (see 'streamsql %s --help')", c.Command.Name, flagsAfterArgs(c), c.Command.Name), 2)
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
		ArgsUsage: "FILE.sql | -",
		Description: `Parses FILE.sql (or standard input, with -), plans every INSERT INTO (or the
EXECUTE STATEMENT SET) into one operator graph and runs it. A job over bounded inputs (files) ends when they are
exhausted: every window fires, sinks are flushed and streamsql exits 0. An
unbounded job runs until Ctrl-C. A summary (rows read and written, late rows
dropped, malformed rows skipped) is printed to standard error at the end; after
Ctrl-C it also names the savepoint taken (with checkpointing on) or says that none
was. Relative paths, of FILE.sql and inside it (a filesystem table's 'path'),
resolve against the working directory.`,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "do not print the summary"},
		}, append(observeFlags(), checkpointFlags()...)...),
		Action: func(c *cli.Context) error {
			path, err := fileArg(c)
			if err != nil {
				return err
			}
			job, err := loadArg(path, c.App.Reader)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			if path == "-" {
				path = stdinName
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
			if err := checkRelativePaths(job.Graph); err != nil {
				return cli.Exit(err.Error(), 1)
			}
			rj, err := runtime.Build(job.Graph, opts)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			if w := rerunWarning(job.Graph, opts.StateDir); w != "" {
				fmt.Fprintln(errorWriter(c.App.ErrWriter), "streamsql:", w)
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
			if runErr == nil && c.Context.Err() != nil {
				fmt.Fprintln(errorWriter(c.App.ErrWriter), "streamsql:", stopReport(job.Graph, rj, stateDirOf(opts)))
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
each node's changelog mode ([I]: insert-only). Nothing is read or written, but
the file is checked as run checks it first (connector options included).
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
			job, err := loadArg(path, c.App.Reader)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			// Refuse what run refuses (unknown or malformed connector
			// options, a sink-only connector read, ...) before printing.
			graphs := []*planner.Graph{job.Graph}
			for _, e := range job.Explains {
				graphs = append(graphs, e.Graph)
			}
			for _, g := range graphs {
				if err := runtime.Validate(g); err != nil {
					return cli.Exit(err.Error(), 1)
				}
			}
			if err := writeExplain(c.App.Writer, job, jobName(path), c.String("format")); err != nil {
				return cli.Exit(err.Error(), 1)
			}
			return nil
		},
	}
}
