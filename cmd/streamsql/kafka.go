package main

import (
	"fmt"

	"github.com/streamsql/streamsql/runtime/devbroker"
	"github.com/urfave/cli/v2"
)

func kafkaCommand() *cli.Command {
	return &cli.Command{
		Name:  "kafka",
		Usage: "run an in-memory Kafka-protocol broker for development and tests (not for production)",
		Description: `Runs a single-node Kafka-protocol broker inside this process until Ctrl-C, so
that queries with 'connector' = 'kafka' and 'streamsql gen' can run on a machine
without Kafka. Any Kafka client (streamsql, kcat, the Java client) can connect.

It listens on 127.0.0.1:9092 unless --addr says otherwise, and creates a topic
the first time a client asks for it, with --partitions partitions.

FOR DEVELOPMENT AND TESTS ONLY, NOT FOR PRODUCTION: every record is kept in
memory until the broker stops (about 3.4 times the payload size), and is gone
when it stops unless --data-dir is given (which also writes the state to disk
so topics and committed offsets survive a restart, also after a kill: the
transactions a kill left open are aborted when it starts again, as Kafka's
transaction coordinator does). There is no replication, no
retention limit, no authentication and no encryption.

Example:
   streamsql kafka &
   streamsql gen --rate 2000 &
   streamsql run queries/ctr.sql`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: devbroker.DefaultAddr, Usage: "host:port to listen on (port 0: any free port)"},
			&cli.IntFlag{Name: "partitions", Value: 4, Usage: "partitions of topics created on demand"},
			&cli.StringFlag{Name: "data-dir", Usage: "also persist topics and group offsets in this directory (still kept in memory)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return cli.Exit("kafka takes no arguments, only flags (see 'streamsql kafka --help')", 2)
			}
			b, err := devbroker.Start(devbroker.Config{
				Addr:       c.String("addr"),
				Partitions: c.Int("partitions"),
				DataDir:    c.String("data-dir"),
			})
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			errw := errorWriter(c.App.ErrWriter)
			persist := "in memory only"
			if d := c.String("data-dir"); d != "" {
				persist = "in memory, persisted to " + d
			}
			if n := b.Aborted(); n > 0 {
				fmt.Fprintf(errw, "streamsql kafka: aborted %d transaction(s) that the last (unclean) stop left open; their records were never committed\n", n)
			}
			fmt.Fprintf(errw, "streamsql kafka: development broker listening on %s (topics created on demand with %d partitions; data %s; not for production). Ctrl-C stops it.\n",
				b.Addr(), c.Int("partitions"), persist)
			<-c.Context.Done()
			b.Close()
			fmt.Fprintln(errw, "streamsql kafka: stopped")
			return nil
		},
	}
}
