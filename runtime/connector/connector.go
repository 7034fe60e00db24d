package connector

import (
	"context"
	"errors"
	"strconv"

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
	// Type says how Validate checks the value (OptString when zero).
	Type OptionType
	// Enum lists the accepted values of an OptEnum option (compared
	// case-insensitively, as Flink does).
	Enum []string
	// Ignored marks options accepted for compatibility with Flink that
	// have no effect here (the docs say so).
	Ignored bool
}

// OptionType is the kind of value an option takes.
type OptionType uint8

const (
	OptString   OptionType = iota // any text
	OptBool                       // true / false (case-insensitive)
	OptInt                        // a decimal integer
	OptFloat                      // a decimal number
	OptDuration                   // '500 ms', '10 s', '1 min', '2h' (see ParseDuration)
	OptEnum                       // one of OptionSpec.Enum
	OptMemory                     // '1 mb', '64kb', '512' (bytes)
)

func (t OptionType) String() string {
	return [...]string{"string", "boolean", "integer", "number", "duration", "enum", "memory size"}[t]
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
	// HasFormat reports that the table's payload goes through a format
	// named by the 'format' option (filesystem, kafka); Validate then
	// also accepts that format's options ('json.*').
	HasFormat bool
	// NewDecoder, when set, builds the decoder of the table's records
	// instead of a format (upsert-kafka decodes the record key and
	// value, each with its own format): read are the indices of
	// t.Columns it decodes (Env.ReadColumns), in that order.
	NewDecoder func(t *planner.TableDesc, read []int) (Decoder, error)
	// Check, when set, validates option combinations Validate cannot see
	// from the option list alone (datagen's per-field options).
	Check func(t *planner.TableDesc) error
	// SplitReaders, when set and true for a source table, says the table
	// can be read by several readers at once, each opened with
	// Env.Subtask and Env.Subtasks and reading its share of the splits
	// (Kafka partitions, assigned as Flink's KafkaSourceEnumerator
	// assigns them). Its readers implement SplitOwner.
	SplitReaders func(t *planner.TableDesc) bool
	// Transactional, when set and true for a sink table, says its writer
	// is a TransactionalSink: its output becomes visible only when a
	// checkpoint commits it (Kafka 'exactly-once'). The job then needs
	// checkpointing, and restores the checkpoint the sink confirms.
	Transactional func(t *planner.TableDesc) bool
	// Borrows says the sink's writer reads a batch only during Write and
	// keeps no reference to it (blackhole, print): the operator before
	// the sink may then reuse its output memory (core.Borrower).
	Borrows bool
}

// FormatSpec is one payload format (json): its options, relative to the
// format's name ("ignore-parse-errors" is written 'json.ignore-parse-errors'
// in WITH), and its constructors.
type FormatSpec struct {
	Name    string
	Doc     string
	Options []OptionSpec
	// NewDecoder builds a decoder for cols (only the physical columns the
	// query reads: projection pushdown). prefix is the option prefix in
	// front of the format name ("" for 'format', "value." for Kafka's
	// 'value.format').
	NewDecoder func(cols planner.Schema, t *planner.TableDesc, prefix string) (Decoder, error)
	// NewEncoder builds an encoder writing cols in order.
	NewEncoder func(cols planner.Schema, t *planner.TableDesc, prefix string) (Encoder, error)
	// Changelog marks a changelog format: its decoders are
	// ChangelogDecoders and its encoders ChangelogEncoders, and
	// planner.ChangelogFormats lists it (the planner's changelog rule
	// reads the format by name; a registry test keeps both in step).
	Changelog bool
}

// ErrSkipRecord is wrapped by a Decoder's error when the record is
// malformed and the format is configured to skip such records
// (json.ignore-parse-errors): the caller drops the record, counts it in
// Metrics.RecordsSkipped and goes on. Any other Decode error stops the
// job; the caller prefixes it with Record.Where.
var ErrSkipRecord = errors.New("record skipped")

// SkipsParseErrors reports whether dec is configured to skip malformed
// records (json.ignore-parse-errors): a Decoder says so with a method
// SkipsParseErrors() bool. The source then treats a record whose rowtime
// or watermark cannot be evaluated the same way as a malformed one.
func SkipsParseErrors(dec Decoder) bool {
	s, ok := dec.(interface{ SkipsParseErrors() bool })
	return ok && s.SkipsParseErrors()
}

// Env is what a connector may use from the job.
type Env struct {
	Settings map[string]string
	Metrics  *core.Metrics
	// Stdout is where the print connector writes (os.Stdout in a real run).
	Stdout interface{ Write([]byte) (int, error) }
	// Stderr is where a connector prints warnings (a Kafka broker that
	// went away and is being retried); nil means os.Stderr.
	Stderr interface{ Write([]byte) (int, error) }
	// Format decodes and encodes payloads; the runtime builds it from the
	// table's format options and hands it to the connector.
	Decoder Decoder
	Encoder Encoder
	// Resume, when not nil, is a sink's progress token from the
	// checkpoint being restored (ProgressSink.Progress): the sink
	// continues after it, discarding anything written later.
	Resume []byte
	// ReadColumns lists the indices into t.Columns of the physical
	// columns the runtime decodes (the Decoder's columns, in that order).
	// A source that produces rows itself (datagen) fills Record.Row in
	// this layout. nil means every physical column in declared order.
	ReadColumns []int
	// Subtask is the index of the subtask this writer or reader is
	// (0-based) and Subtasks how many the sink or source runs as (Flink's
	// getIndexOfThisSubtask / getNumberOfParallelSubtasks); 0 means 1. A
	// source runs as several subtasks only when its Spec says it can
	// (SplitReaders): each reader then reads the splits assigned to its
	// subtask and numbers them as the whole source does.
	Subtask, Subtasks int
	// Checkpointing is true when the job takes checkpoints: a source then
	// does not commit read positions anywhere by itself (a Kafka consumer
	// group); checkpoints do (CheckpointListener, TransactionalSink).
	Checkpointing bool
}

// Record is one raw record read by a source, before decoding.
//
// Buffer lifetime: Key, Value and Headers may point into a buffer the
// reader reuses; they stay valid only until the next Poll (or Close) on
// the same reader. The runtime decodes every record of a Poll before it
// polls again, and a decoder copies what it keeps (strings are copied).
// A connector must not hand out a record whose bytes it will overwrite
// before that point.
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
	// "topic ad-events-2 partition 3 offset 1024". A connector may leave
	// it empty and set File and Line instead, so that no text is built
	// per record; read it through Location.
	Where string
	// File and Line name the record when Where is empty ("file:line").
	File string
	Line int64
	// Row, when not nil, is the record already decoded (datagen): laid out
	// as Env.ReadColumns, exactly like a Decoder's dst. The runtime uses it
	// instead of running the Decoder on Value, and may keep it (the source
	// never reuses it).
	Row core.Row
	// Kind is Row's change kind (a ChangelogDecoder's rows); Insert
	// otherwise.
	Kind core.RowKind
}

// Location is Where, or "File:Line" when the connector left Where empty
// (built only when a message needs it).
func (r *Record) Location() string {
	if r.Where != "" || r.File == "" {
		return r.Where
	}
	return r.File + ":" + strconv.FormatInt(r.Line, 10)
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
	// A poll that ends a split returns no record after that split's last
	// one, so the watermark does not depend on where polls are cut.
	Ended []int
	// Done is true when the whole source is exhausted.
	Done bool
	// Positions, from a reader that implements Seeker, are where the
	// splits this poll read from (or ended) stand after its records:
	// passing them back to Seek resumes right after this poll.
	Positions []Position
}

// SourceReader reads raw records. Poll blocks until there is something
// to return, ctx is cancelled, or (unbounded sources) a short wait
// passes, in which case it returns an empty Poll so the executor can emit
// periodic watermarks and check idleness.
type SourceReader interface {
	Poll(ctx context.Context, max int) (Poll, error)
	Close() error
}

// SplitOwner is implemented by a reader that reads a share of its
// source's splits (Spec.SplitReaders): OwnsSplit reports whether split i
// (numbered as the whole source numbers them) is this reader's. A restore
// hands each reader the state and positions of its own splits.
type SplitOwner interface {
	OwnsSplit(i int) bool
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

// ChangelogDecoder is a Decoder whose records are changes of a table
// (Flink's changelog formats and upsert sources): one record gives zero
// or more rows, each with its kind. debezium-json turns an update into
// -U (before) and +U (after); upsert-kafka turns a record into +U, or
// -D for a tombstone. The runtime calls DecodeChanges instead of Decode
// for every record of a source whose decoder is one; the source's
// changelog mode comes from the planner (planner.SourceChangelog), which
// knows the format and connector by name.
type ChangelogDecoder interface {
	Decoder
	// DecodeChanges appends rec's rows to out, in order, and returns it.
	// Rows are laid out as the decoder's columns and freshly allocated
	// (the caller keeps them). Errors follow Decode's rules (ErrSkipRecord
	// for a record to skip); the caller adds rec's place.
	DecodeChanges(rec *Record, out []Change) ([]Change, error)
}

// Change is one row of a ChangelogDecoder with its kind.
type Change struct {
	Kind core.RowKind
	Row  core.Row
}

// Encoder turns a row into a record value, appending to buf.
type Encoder interface {
	Encode(buf []byte, row core.Row) ([]byte, error)
}

// ChangelogEncoder is an Encoder of a changelog format: it writes a
// row's kind too (debezium-json writes +I/+U as op "c", -U/-D as "d").
type ChangelogEncoder interface {
	Encoder
	EncodeChange(buf []byte, kind core.RowKind, row core.Row) ([]byte, error)
}

// EncodeKind encodes row with its kind when enc is a ChangelogEncoder,
// the row alone otherwise (an insert-only format never sees a change).
func EncodeKind(enc Encoder, buf []byte, kind core.RowKind, row core.Row) ([]byte, error) {
	if c, ok := enc.(ChangelogEncoder); ok {
		return c.EncodeChange(buf, kind, row)
	}
	return enc.Encode(buf, row)
}

// ProjectEncoder encodes columns idx of a row with inner (which was built
// for those columns, in that order): a sink's payload columns of a table
// row.
func ProjectEncoder(inner Encoder, idx []int) Encoder {
	return &projectingEncoder{inner: inner, idx: idx, scratch: make(core.Row, len(idx))}
}

type projectingEncoder struct {
	inner   Encoder
	idx     []int
	scratch core.Row
}

func (p *projectingEncoder) Encode(buf []byte, row core.Row) ([]byte, error) {
	return p.EncodeChange(buf, core.Insert, row)
}

// EncodeChange keeps the kind for a changelog format inside.
func (p *projectingEncoder) EncodeChange(buf []byte, kind core.RowKind, row core.Row) ([]byte, error) {
	for i, ti := range p.idx {
		p.scratch[i] = row[ti]
	}
	return EncodeKind(p.inner, buf, kind, p.scratch)
}
