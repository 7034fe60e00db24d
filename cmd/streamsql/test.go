package main

import (
	"fmt"

	"github.com/streamsql/streamsql/runtime/golden"
	"github.com/urfave/cli/v2"
)

func testCommand() *cli.Command {
	return &cli.Command{
		Name:      "test",
		Usage:     "run golden tests of queries: SQL, recorded input streams and expected rows",
		ArgsUsage: "PATH",
		Description: `Runs every *.test file under PATH (or the one file PATH). A test file holds
the SQL (the same file you deploy: Kafka tables included), the input stream of
each source table with partitions and Kafka timestamps, and the expected rows of
each sink table, so a query change that alters results shows as a diff.

   --- sql
   CREATE TABLE ad_events (...) WITH ('connector' = 'kafka', ...);
   ...
   --- input ad_events
   p=0 ts=1767225600100 {"event_type":"view","event_time":1767225600000,"campaign_id":"c1"}
   --- output results
   +I[2026-01-01 00:00:00.000, 2026-01-01 00:00:10.000, c1, 1, 0, 0.0, ...]
   --- counters
   late_records_dropped=0

Write the sql and input sections, run with --update to record what the engine
produces, read the result carefully, and commit it. A failing test prints each
differing row expected above got, the row kind (+I, -U, +U, -D) in a column of
its own and a caret under the first difference; a row on one side only is
paired with "(no such row)".`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "update", Usage: "rewrite the output, counters and error sections from the current results"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("test needs a PATH (a .test file or a directory of them)"+flagsAfterArgs(c), 2)
			}
			files, err := golden.Files(c.Args().First())
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			failed := 0
			for _, f := range files {
				diff, err := golden.RunFile(c.Context, f, c.Bool("update"))
				switch {
				case err != nil:
					failed++
					fmt.Fprintf(c.App.Writer, "FAIL %s\n  %v\n", f, err)
				case diff != "":
					failed++
					fmt.Fprintf(c.App.Writer, "FAIL %s\n%s", f, diff)
				case c.Bool("update"):
					fmt.Fprintf(c.App.Writer, "updated %s\n", f)
				default:
					fmt.Fprintf(c.App.Writer, "ok   %s\n", f)
				}
			}
			fmt.Fprintf(c.App.Writer, "%d passed, %d failed\n", len(files)-failed, failed)
			if failed > 0 {
				return cli.Exit("", 1)
			}
			return nil
		},
	}
}
