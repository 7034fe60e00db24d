// Package connector defines how tables are read and written: a Spec per
// connector (its options, with defaults and docs, and its constructors),
// the SourceReader and SinkWriter interfaces, and the registry that lists
// every connector in one place (registry.go).
package connector

import (
	"context"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
)

// OptionSpec documents one WITH option. Keys may end in ".*" for a family
// (for example "fields.*.kind" in datagen, "properties.*" in kafka).
type OptionSpec struct {
	Key      string
	Default  string // "" when none
	Required bool
	Secret   bool // never printed (logs, errors, EXPLAIN)
	Doc      string
}

// Spec is one connector: the single source for option validation, docs
// and construction. A connector that cannot be a source (or sink) leaves
// that constructor nil.
type Spec struct {
	Name    string
	Doc     string
	Options []OptionSpec
	// Bounded reports whether a source of this table ends by itself.
	Bounded func(t *planner.TableDesc) bool
	// NewSource opens a reader for a table; cols are the indices of
	// t.Columns the query reads (physical and metadata columns only; the
	// runtime evaluates computed columns itself).
	NewSource func(ctx context.Context, t *planner.TableDesc, env *Env) (SourceReader, error)
	// NewSink opens a writer for a table.
	NewSink func(ctx context.Context, t *planner.TableDesc, env *Env) (SinkWriter, error)
}

// Env is what a connector may use from the job.
type Env struct {
	Settings map[string]string
	Metrics  *core.Metrics
	// Stdout is where the print connector writes (os.Stdout in a real run).
	Stdout interface{ Write([]byte) (int, error) }
	// Format decodes and encodes payloads; the runtime builds it from the
	// table's format options and hands it to the connector.
	Decoder Decoder
	Encoder Encoder
}

// Record is one raw record read by a source, before decoding.
type Record struct {
	Split     int    // which split (file, Kafka partition) it came from
	Key       []byte // nil when none
	Value     []byte
	Timestamp int64 // Kafka record timestamp in epoch ms; 0 when the source has none
	// Metadata a connector can supply (Kafka): read by metadata columns.
	Topic         string
	Partition     int32
	Offset        int64
	TimestampType string // "CreateTime", "LogAppendTime", "NoTimestampType"
	Headers       []Header
	// Where names the record for error messages: "events.json:12" or
	// "topic ad-events-2 partition 3 offset 1024".
	Where string
}

// Header is one Kafka header.
type Header struct {
	Key   string
	Value []byte
}

// Poll is what one SourceReader.Poll returns.
type Poll struct {
	Records []Record
	// Started lists splits that became active in this poll without
	// records yet (a Kafka partition assigned); a split also becomes
	// active with its first record.
	Started []int
	// Ended lists splits that are exhausted (bounded sources): after its
	// last record is processed the split leaves the watermark minimum.
	Ended []int
	// Done is true when the whole source is exhausted.
	Done bool
}

// SourceReader reads raw records. Poll blocks until there is something
// to return, ctx is cancelled, or (unbounded sources) a short wait
// passes, in which case it returns an empty Poll so the executor can emit
// periodic watermarks and check idleness.
type SourceReader interface {
	Poll(ctx context.Context, max int) (Poll, error)
	Close() error
}

// SinkWriter writes decoded rows (laid out as the sink table's columns,
// metadata columns included).
type SinkWriter interface {
	Write(ctx context.Context, b *core.Batch) error
	// Flush makes everything written so far durable/visible.
	Flush(ctx context.Context) error
	Close() error
}

// Decoder turns a record value into a row. It decodes into dst, which
// has one slot per entry of the columns it was built for, and reports a
// parse error as an error naming the field; the caller adds rec.Where.
type Decoder interface {
	Decode(value []byte, dst core.Row) error
}

// Encoder turns a row into a record value, appending to buf.
type Encoder interface {
	Encode(buf []byte, row core.Row) ([]byte, error)
}
