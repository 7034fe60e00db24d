package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/streamsql/streamsql/runtime/recording"
	"github.com/urfave/cli/v2"
)

func recordCommand() *cli.Command {
	return &cli.Command{
		Name:  "record",
		Usage: "capture a Kafka topic's records into a file that 'streamsql test' and the filesystem connector replay",
		Description: `Reads a Kafka topic and writes one line per record, in the order consumed:

   p=1 off=42 ts=1767225600001 key="user-7" {"campaign_id": "c1", ...}

(partition, offset, record timestamp in epoch ms, key and headers when present,
then the value). The lines are the input-section syntax of test files, so they
can be pasted under '--- input TABLE' of a 'streamsql test' case; a filesystem
table with 'source.recording' = 'true' replays the file with the same
partitions, offsets, timestamps and order. A production surprise becomes a test.

By default it reads from the oldest record and stops at the end each partition
had when it started. --from latest reads only new records; --count and
--duration stop earlier (or end a --from latest capture); Ctrl-C stops cleanly.

Example:
   streamsql record --brokers 127.0.0.1:9092 --topic ad-events-2 --count 1000 --out surprise.rec`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "brokers", Required: true, Usage: "comma-separated host:port list"},
			&cli.StringFlag{Name: "topic", Required: true, Usage: "the topic to capture"},
			&cli.StringFlag{Name: "from", Value: "earliest", Usage: "earliest or latest"},
			&cli.Int64Flag{Name: "count", Usage: "stop after this many records (0: no limit)"},
			&cli.DurationFlag{Name: "duration", Usage: "stop after this long, e.g. 30s (0: no limit)"},
			&cli.StringFlag{Name: "out", Required: true, Usage: "the file to write ('-' for standard output)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return cli.Exit("record takes no arguments, only flags (see 'streamsql record --help')", 2)
			}
			from := strings.ToLower(c.String("from"))
			if from != "earliest" && from != "latest" {
				return cli.Exit(fmt.Sprintf("record: --from %q: want earliest or latest", c.String("from")), 2)
			}
			if c.Int64("count") < 0 || c.Duration("duration") < 0 {
				return cli.Exit("record: --count and --duration must not be negative", 2)
			}
			cfg := recording.KafkaCapture{
				Brokers: strings.Split(c.String("brokers"), ","), Topic: c.String("topic"),
				FromLatest: from == "latest", Count: c.Int64("count"), Duration: c.Duration("duration"),
			}
			out := c.App.Writer
			var f *os.File
			if name := c.String("out"); name != "-" {
				var err error
				if f, err = os.Create(name); err != nil {
					return cli.Exit("record: "+err.Error(), 1)
				}
				out = f
			}
			n, err := recording.CaptureKafka(c.Context, cfg, out) // Ctrl-C ends c.Context (main.go)
			if f != nil {
				if cerr := f.Close(); err == nil && cerr != nil {
					err = cerr
				}
			}
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			fmt.Fprintf(c.App.ErrWriter, "recorded %d records from topic %s to %s\n", n, cfg.Topic, c.String("out"))
			return nil
		},
	}
}
