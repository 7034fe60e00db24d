// Package upsertkafka is Flink's 'upsert-kafka' connector: a Kafka topic
// as a table keyed by its PRIMARY KEY. The sink writes a changelog as
// upserts: the key (the primary key's columns, in 'key.format') with the
// row as value for an insert or update, and a tombstone (the key with a
// null value) for a delete or an update's old row, so that a compacted topic holds the table.
// The source reads such a topic from its earliest offset as an upsert
// stream: a record with a value is its key's new row (+U), a tombstone
// deletes the key (-D); the planner puts a ChangelogNormalize after it
// (planner/changelogsource.go), which keeps each key's last row and
// turns the upserts into a full changelog.
// Both are the kafka connector's (runtime/connector/kafka) on a table
// whose options are translated: 'value.format' to 'format', the primary
// key to 'key.fields'.
package upsertkafka

import (
	"context"
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/connector/kafka"
	"github.com/streamsql/streamsql/sql"
)

// Spec is the upsert-kafka connector.
var Spec = &connector.Spec{
	Name: "upsert-kafka",
	Doc: "Writes a changelog to a Kafka topic as upserts, as Flink's upsert-kafka: the table's PRIMARY KEY (required, NOT ENFORCED) " +
		"is the record key, serialized with 'key.format'; an insert or update (+I, +U) is written as the key and the row as value " +
		"('value.format'), a delete (-D) and an update's old row (-U) as a tombstone (the key with a null value), as Flink writes them " +
		"(a -U may be its key's last change, when a HAVING stops matching), so a compacted topic holds the table's last row per key. Records are partitioned by the key (murmur2, as Java clients), " +
		"so each key's changes stay in order. Any query may write to it, updating or not. " +
		"Read, the topic is a changelog, as Flink reads it: from the earliest offset, the record key gives the PRIMARY KEY's columns ('key.format'), " +
		"the value the row ('value.format', 'value.fields-include'); a record with a value is an upsert of its key (+U), a tombstone deletes it (-D). " +
		"A ChangelogNormalize operator follows the source (shown in EXPLAIN), hashed by the primary key: it keeps each key's last row in state " +
		"and emits +I for a new key, -U/+U for a changed row, nothing for an unchanged one, -D with the kept row for a tombstone of a known key " +
		"(a tombstone of an unknown key is dropped). Watermarks as for 'kafka'; 'scan.bounded.mode' makes the read end.",
	Options: upsertOptions(),
	Check: func(t *planner.TableDesc) error {
		_, err := kafkaTable(t)
		return err
	},
	Bounded: func(t *planner.TableDesc) bool {
		k, err := kafkaTable(t)
		return err == nil && kafka.Spec.Bounded(k)
	},
	NewDecoder: func(t *planner.TableDesc, read []int) (connector.Decoder, error) {
		k, err := kafkaTable(t)
		if err != nil {
			return nil, err
		}
		return kafka.NewUpsertDecoder(k, read)
	},
	NewSource: func(ctx context.Context, t *planner.TableDesc, env *connector.Env) (connector.SourceReader, error) {
		k, err := kafkaTable(t)
		if err != nil {
			return nil, err
		}
		return kafka.OpenSource(ctx, k, env)
	},
	Transactional: func(t *planner.TableDesc) bool {
		v, _ := t.Option("sink.delivery-guarantee")
		return strings.EqualFold(strings.TrimSpace(v), "exactly-once")
	},
	NewSink: func(ctx context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
		return OpenSink(ctx, t, env)
	},
}

// upsertOptions are the kafka connector's options that upsert-kafka
// takes (Flink's UpsertKafkaDynamicTableFactory): no startup mode (a
// source reads from the earliest offset), the bounded modes, no
// 'format', no 'key.fields' (the primary key is the key).
func upsertOptions() []connector.OptionSpec {
	var out []connector.OptionSpec
	for _, o := range kafka.Spec.Options {
		switch {
		case strings.HasPrefix(o.Key, "properties."):
			if o.Key == "properties.group.id" || o.Key == "properties.auto.offset.reset" {
				continue
			}
			out = append(out, o)
		case o.Key == "topic":
			o.Required = true
			o.Doc = "The topic to read or write."
			out = append(out, o)
		case o.Key == "value.fields-include", o.Key == "sink.delivery-guarantee", o.Key == "sink.transactional-id-prefix",
			strings.HasPrefix(o.Key, "scan.bounded."):
			out = append(out, o)
		}
	}
	return append(out,
		connector.OptionSpec{Key: "key.format", Required: true, Doc: "The format of the key, which holds the PRIMARY KEY's columns: 'json'."},
		connector.OptionSpec{Key: "key.fields-prefix", Doc: "A prefix of the key columns' names that is not part of the key's field names (needs 'value.fields-include' = 'EXCEPT_KEY')."},
		connector.OptionSpec{Key: "key.json.*", Doc: "Options of the key's json format."},
		connector.OptionSpec{Key: "value.format", Required: true, Doc: "The format of the value: 'json'."},
		connector.OptionSpec{Key: "value.json.*", Doc: "Options of the value's json format ('value.json.ignore-parse-errors', ...)."},
		connector.OptionSpec{Key: "sink.buffer-flush.max-rows", Type: connector.OptInt, Default: "0", Ignored: true,
			Doc: "Accepted for compatibility: every change is written (no reduction to the last row per key), the producer batches by size and time."},
		connector.OptionSpec{Key: "sink.buffer-flush.interval", Type: connector.OptDuration, Default: "0", Ignored: true,
			Doc: "Accepted for compatibility (see 'sink.buffer-flush.max-rows')."},
	)
}

// kafkaTable is t as the kafka connector reads it: 'value.format' as
// 'format', 'value.json.*' as 'json.*', and 'key.fields' the primary key.
func kafkaTable(t *planner.TableDesc) (*planner.TableDesc, error) {
	if len(t.PrimaryKey) == 0 {
		return nil, sql.Errorf(t.Pos, "table '%s': 'upsert-kafka' tables require to define a PRIMARY KEY constraint. The PRIMARY KEY specifies which columns should be read from or write to the Kafka message key. The PRIMARY KEY also defines records in the 'upsert-kafka' table should update or delete on which keys.", t.Name)
	}
	for _, req := range []string{"topic", "properties.bootstrap.servers", "key.format", "value.format"} {
		if _, ok := t.Option(req); !ok {
			return nil, sql.Errorf(t.Pos, "table '%s': connector 'upsert-kafka' needs option '%s'", t.Name, req)
		}
	}
	for _, k := range t.PrimaryKey {
		i := t.Columns.Index(k)
		if i < 0 || t.Kinds[i] != sql.PhysicalColumn {
			return nil, sql.Errorf(t.Pos, "table '%s': PRIMARY KEY column '%s' must be a physical column (it is written to the Kafka key)", t.Name, k)
		}
	}
	k := *t
	k.Connector = "kafka"
	k.Options = nil
	for _, o := range t.Options {
		switch {
		case o.Key == "connector":
			o.Value = "kafka"
		case o.Key == "value.format":
			o.Key = "format"
		case strings.HasPrefix(o.Key, "value.json."):
			o.Key = strings.TrimPrefix(o.Key, "value.")
		case strings.HasPrefix(o.Key, "sink.buffer-flush."):
			continue
		}
		k.Options = append(k.Options, o)
	}
	k.Options = append(k.Options, sql.Option{Key: "key.fields", Value: strings.Join(t.PrimaryKey, ";"), Pos: t.Pos, ValuePos: t.Pos},
		// a source always reads the whole topic, as Flink's ("to keep data integrity")
		sql.Option{Key: "scan.startup.mode", Value: "earliest-offset", Pos: t.Pos, ValuePos: t.Pos})
	for _, f := range []string{"key.format", "format"} {
		if v, _ := k.Option(f); planner.ChangelogFormats[strings.TrimSpace(v)] {
			if f == "format" {
				f = "value.format"
			}
			return nil, connector.OptionError(t, f, "'upsert-kafka' connector doesn't support '%s' as %s format, because '%s' is not in insert-only mode.", v, strings.TrimSuffix(f, ".format"), v)
		}
	}
	if err := kafka.Spec.Check(&k); err != nil {
		return nil, err
	}
	return &k, nil
}

// OpenSink opens the kafka sink of t's translated table in upsert mode.
func OpenSink(ctx context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
	k, err := kafkaTable(t)
	if err != nil {
		return nil, err
	}
	e := *env
	if e.Encoder == nil {
		// the value's encoder over the physical columns of a table row
		vf, _ := k.Option("format")
		f, err := connector.LookupFormat(vf)
		if err != nil {
			return nil, connector.OptionError(t, "value.format", "%v", err)
		}
		var cols planner.Schema
		var idx []int
		for i, c := range t.Columns {
			if t.Kinds[i] == sql.PhysicalColumn {
				cols, idx = append(cols, c), append(idx, i)
			}
		}
		enc, err := f.NewEncoder(cols, k, "")
		if err != nil {
			return nil, fmt.Errorf("table '%s': %w", t.Name, err)
		}
		e.Encoder = connector.ProjectEncoder(enc, idx)
	}
	return kafka.OpenUpsertSink(ctx, k, &e)
}
