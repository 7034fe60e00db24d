// Command streamsql runs Flink SQL jobs from a .sql file in one binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // one binary: table.local-time-zone works on machines without zoneinfo

	"github.com/urfave/cli/v2"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newApp().RunContext(ctx, os.Args)
	stop()
	if err != nil {
		var exit cli.ExitCoder
		if errors.As(err, &exit) {
			if msg := exit.Error(); msg != "" {
				fmt.Fprintln(os.Stderr, "streamsql:", msg)
			}
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "streamsql:", err)
		os.Exit(1)
	}
}

// newApp builds the command-line application (tests run it in-process).
func newApp() *cli.App {
	cli.VersionPrinter = func(c *cli.Context) { printVersion(c.App.Writer) }
	return &cli.App{
		Name:  "streamsql",
		Usage: "run Flink SQL streaming jobs from a .sql file, in one binary",
		Description: `streamsql reads Flink-dialect SQL (CREATE TABLE ... WITH (...), WATERMARK FOR,
views, SET, INSERT INTO ... SELECT with TUMBLE/HOP/CUMULATE/SESSION windows),
plans it into an operator graph and runs it.

Examples:
   streamsql run queries/ctr_file.sql        run a job over a recorded stream
   streamsql explain queries/ctr.sql         show the logical and physical plan
   streamsql test testdata/golden            run golden tests for queries`,
		Commands: []*cli.Command{
			runCommand(),
			explainCommand(),
			testCommand(),
			genCommand(),
			kafkaCommand(),
			recordCommand(),
			demoCommand(),
			sqlCommand(),
			versionCommand(),
		},
		HideHelpCommand: true,
		Version:         readBuildInfo().Version,
		Action:          rootAction,
	}
}
