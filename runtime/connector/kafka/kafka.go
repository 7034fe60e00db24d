package kafka

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Spec is the kafka connector.
var Spec = &connector.Spec{
	Name: "kafka",
	Doc: "Reads and writes Apache Kafka topics, with Flink's option names. One split (and one watermark) per partition. " +
		"With 'scan.bounded.mode' the source reads each partition up to its stop offset and the job ends there, " +
		"replaying the partitions merged in Kafka-timestamp order so that results are deterministic. " +
		"As in Flink, a partition ends when the consumer's position reaches the stop offset, not at a record just before it: " +
		"transaction markers, records of aborted transactions (read_committed) and offsets removed by compaction may stand before it. " +
		"Stop offsets: 'latest-offset' the end offsets when the job starts (with 'properties.isolation.level' = 'read_committed' the last stable offsets, " +
		"before any transaction still open); 'timestamp' the first offset at or after the timestamp when the job starts (offsets-for-times), " +
		"or the end offset then where no record is that late yet; 'group-offsets' the group's committed offsets; " +
		"'specific-offsets' the offsets given, waiting for records not written yet (as Flink's reader keeps polling until its position reaches them).",
	HasFormat: true,
	Options: []connector.OptionSpec{
		{Key: "topic", Doc: "The topic to read or write; a source may name several separated by ';'. Either this or 'topic-pattern'. " +
			"A source never creates a topic (as Flink's, whatever the broker's auto.create.topics.enable): a missing one is an error naming it and the brokers; a sink's producer lets the broker create it where the broker allows that."},
		{Key: "topic-pattern", Doc: "A regular expression over the broker's topic names (source only); the topics matching when the job starts are read."},
		{Key: "properties.bootstrap.servers", Required: true, Doc: "Comma-separated host:port list of brokers."},
		{Key: "properties.group.id", Doc: "Consumer group: needed for 'group-offsets'; when set, the source commits the offsets it has handed on (every second and when it stops)."},
		{Key: "properties.auto.offset.reset", Type: connector.OptEnum, Enum: []string{"earliest", "latest", "none"}, Default: "none",
			Doc: "Where 'group-offsets' starts in a partition without a committed offset; 'none' (Flink's default) makes that an error."},
		{Key: "properties.client.id", Doc: "Client id sent to the brokers."},
		{Key: "properties.isolation.level", Type: connector.OptEnum, Enum: []string{"read_committed", "read_uncommitted"}, Default: "read_uncommitted",
			Doc: "Whether the source sees records of open or aborted transactions."},
		{Key: "properties.security.protocol", Type: connector.OptEnum, Enum: []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}, Default: "PLAINTEXT",
			Doc: "How to talk to the brokers."},
		{Key: "properties.sasl.mechanism", Type: connector.OptEnum, Enum: []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}, Default: "PLAIN",
			Doc: "SASL mechanism (with SASL_PLAINTEXT or SASL_SSL). SCRAM uses the password's UTF-8 bytes as they are, without SASLprep, as Kafka's brokers and Java client do."},
		{Key: "properties.sasl.jaas.config", Secret: true,
			Doc: "Credentials as Java clients write them: `org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";` (or ScramLoginModule)."},
		{Key: "properties.sasl.username", Doc: "SASL user name (instead of 'properties.sasl.jaas.config')."},
		{Key: "properties.sasl.password", Secret: true, Doc: "SASL password (instead of 'properties.sasl.jaas.config')."},
		{Key: "properties.ssl.truststore.location", Doc: "A PEM file of CA certificates the brokers' certificates are checked against (default: the system's)."},
		{Key: "properties.ssl.truststore.type", Type: connector.OptEnum, Enum: []string{"PEM"}, Doc: "Only PEM files are read."},
		{Key: "properties.ssl.keystore.location", Doc: "A PEM file with the client certificate (and its key, unless 'properties.ssl.key.location' is set), for mutual TLS."},
		{Key: "properties.ssl.keystore.type", Type: connector.OptEnum, Enum: []string{"PEM"}, Doc: "Only PEM files are read."},
		{Key: "properties.ssl.key.location", Doc: "A PEM file with the client certificate's private key."},
		{Key: "properties.ssl.key.password", Secret: true, Ignored: true, Doc: "Accepted for compatibility; the key file must not be encrypted."},
		{Key: "properties.ssl.keystore.password", Secret: true, Ignored: true, Doc: "Accepted for compatibility; PEM files need no password."},
		{Key: "properties.ssl.truststore.password", Secret: true, Ignored: true, Doc: "Accepted for compatibility; PEM files need no password."},
		{Key: "properties.ssl.endpoint.identification.algorithm", Default: "https",
			Doc: "'https' checks that the broker's certificate names its host; '' (empty) turns the check off."},
		{Key: "properties.*", Ignored: true, Doc: "Other Kafka client properties are accepted for compatibility and have no effect."},
		{Key: "scan.startup.mode", Type: connector.OptEnum, Default: "group-offsets",
			Enum: []string{"earliest-offset", "latest-offset", "group-offsets", "timestamp", "specific-offsets"},
			Doc:  "Where the source starts in each partition."},
		{Key: "scan.startup.timestamp-millis", Type: connector.OptInt, Doc: "With 'timestamp': the first record whose timestamp is at least this (epoch ms)."},
		{Key: "scan.startup.specific-offsets", Doc: "With 'specific-offsets': `partition:0,offset:42;partition:1,offset:300`. Other partitions start at the group's committed offset, else the earliest."},
		{Key: "scan.bounded.mode", Type: connector.OptEnum, Default: "unbounded",
			Enum: []string{"unbounded", "latest-offset", "group-offsets", "timestamp", "specific-offsets"},
			Doc:  "Where the source stops in each partition; anything but 'unbounded' makes the table a bounded input, read up to the stop offsets (see above)."},
		{Key: "scan.bounded.timestamp-millis", Type: connector.OptInt, Doc: "With bounded mode 'timestamp': stop before the first record at or after this timestamp (epoch ms)."},
		{Key: "scan.bounded.specific-offsets", Doc: "With bounded mode 'specific-offsets': `partition:0,offset:42;...`, the offset to stop before, for every partition; an offset not written yet is waited for."},
		{Key: "scan.topic-partition-discovery.interval", Type: connector.OptDuration, Ignored: true,
			Doc: "Accepted for compatibility; the topics and partitions are those present when the job starts."},
		{Key: "format", Doc: "The value format: 'json', or a changelog format, 'debezium-json' or 'canal-json' (then the source reads a changelog and the sink takes updating queries)."},
		{Key: "value.format", Doc: "Flink's name for 'format' when a key format is also given; not supported yet: write 'format' (same meaning)."},
		{Key: "value.fields-include", Type: connector.OptEnum, Enum: []string{"ALL", "EXCEPT_KEY"}, Default: "ALL",
			Doc: "Whether the value also holds the key fields."},
		{Key: "value.json.*", Doc: "Options of 'value.format'; not supported yet: write them as 'json.*' (same meaning)."},
		{Key: "key.format", Doc: "The key format: 'json'. Needs 'key.fields'."},
		{Key: "key.fields", Doc: "Physical columns, separated by ';', that make up the record key."},
		{Key: "key.fields-prefix", Doc: "A prefix of the key columns' names that is not part of the key's field names (needs 'value.fields-include' = 'EXCEPT_KEY')."},
		{Key: "key.json.*", Doc: "Options of the key's json format."},
		{Key: "sink.partitioner", Default: "default", Type: connector.OptEnum, Enum: []string{"default", "fixed", "round-robin"},
			Doc: "'default': by murmur2 hash of the key as Java clients do (random without a key); 'fixed': every row to partition 0 (one sink task); 'round-robin': partitions in turn."},
		{Key: "sink.delivery-guarantee", Default: "at-least-once", Type: connector.OptEnum, Enum: []string{"at-least-once", "none", "exactly-once"},
			Doc: "'at-least-once' waits for every replica to acknowledge each record before the sink reports it flushed (at every checkpoint); 'none' waits for the leader only; " +
				"'exactly-once' writes in Kafka transactions, one per checkpoint, committing the rows together with the source offsets (needs checkpointing and 'sink.transactional-id-prefix'; readers use isolation.level=read_committed)."},
		{Key: "sink.transactional-id-prefix", Doc: "Transactional id of 'exactly-once' ('<prefix>-0'); the source offsets of a table without 'properties.group.id' are committed to group '<prefix>-<table>', the checkpoint marker to group '<prefix>-checkpoints'. One running job per prefix: a second one fences the first."},
		{Key: "sink.buffer-flush.max-rows", Type: connector.OptInt, Ignored: true, Doc: "Accepted for compatibility; the producer batches by size and time."},
		{Key: "sink.buffer-flush.interval", Type: connector.OptDuration, Ignored: true, Doc: "Accepted for compatibility; the producer batches by size and time."},
	},
	Bounded: func(t *planner.TableDesc) bool {
		m, _ := t.Option("scan.bounded.mode")
		m = strings.ToLower(strings.TrimSpace(m))
		return m != "" && m != "unbounded"
	},
	Check: func(t *planner.TableDesc) error {
		_, err := parseConfig(t)
		return err
	},
	Transactional: func(t *planner.TableDesc) bool {
		return lower(t, "sink.delivery-guarantee", "at-least-once") == "exactly-once"
	},
	SplitReaders: func(*planner.TableDesc) bool { return true },
	NewSource: func(ctx context.Context, t *planner.TableDesc, env *connector.Env) (connector.SourceReader, error) {
		return OpenSource(ctx, t, env)
	},
	NewSink: func(ctx context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
		return OpenSink(ctx, t, env)
	},
}

// config is a table's options, parsed and checked.
type config struct {
	table   *planner.TableDesc
	brokers []string
	topics  []string
	pattern *regexp.Regexp
	group   string
	reset   string // earliest, latest, none

	startup      string
	startTS      int64
	startOffsets map[int32]int64
	bounded      string
	boundTS      int64
	boundOffsets map[int32]int64

	keyFields []int // table column indices, in key order
	keyPrefix string
	exceptKey bool

	partitioner string
	guarantee   string
	txnPrefix   string

	security security
}

func lower(t *planner.TableDesc, key, def string) string {
	return strings.ToLower(strings.TrimSpace(connector.OptionString(t, key, def)))
}

// parseConfig checks the option combinations Validate cannot see alone.
func parseConfig(t *planner.TableDesc) (*config, error) {
	c := &config{table: t}
	for _, b := range strings.Split(connector.OptionString(t, "properties.bootstrap.servers", ""), ",") {
		if b = strings.TrimSpace(b); b != "" {
			if !strings.Contains(b, ":") {
				return nil, connector.OptionError(t, "properties.bootstrap.servers", "option 'properties.bootstrap.servers': '%s' is not host:port", b)
			}
			c.brokers = append(c.brokers, b)
		}
	}
	if len(c.brokers) == 0 {
		return nil, connector.OptionError(t, "properties.bootstrap.servers", "option 'properties.bootstrap.servers' names no broker")
	}
	topic, hasTopic := t.Option("topic")
	pat, hasPattern := t.Option("topic-pattern")
	switch {
	case hasTopic && hasPattern:
		return nil, connector.OptionError(t, "topic-pattern", "table '%s': give either 'topic' or 'topic-pattern', not both", t.Name)
	case !hasTopic && !hasPattern:
		return nil, connector.OptionError(t, "topic", "table '%s': connector 'kafka' needs option 'topic' (or 'topic-pattern')", t.Name)
	case hasTopic:
		for _, s := range strings.Split(topic, ";") {
			if s = strings.TrimSpace(s); s != "" {
				c.topics = append(c.topics, s)
			}
		}
		if len(c.topics) == 0 {
			return nil, connector.OptionError(t, "topic", "option 'topic' names no topic")
		}
	default:
		re, err := regexp.Compile("^(?:" + pat + ")$")
		if err != nil {
			return nil, connector.OptionError(t, "topic-pattern", "option 'topic-pattern': %v", err)
		}
		c.pattern = re
	}
	c.group = connector.OptionString(t, "properties.group.id", "")
	c.reset = lower(t, "properties.auto.offset.reset", "none")

	var err error
	c.startup = lower(t, "scan.startup.mode", "group-offsets")
	switch c.startup {
	case "timestamp":
		if c.startTS, err = needInt(t, "scan.startup.timestamp-millis", "scan.startup.mode"); err != nil {
			return nil, err
		}
	case "specific-offsets":
		if c.startOffsets, err = needOffsets(t, "scan.startup.specific-offsets", "scan.startup.mode"); err != nil {
			return nil, err
		}
	}
	c.bounded = lower(t, "scan.bounded.mode", "unbounded")
	switch c.bounded {
	case "group-offsets":
		if c.group == "" {
			return nil, connector.OptionError(t, "scan.bounded.mode", "'scan.bounded.mode' = 'group-offsets' needs 'properties.group.id'")
		}
	case "timestamp":
		if c.boundTS, err = needInt(t, "scan.bounded.timestamp-millis", "scan.bounded.mode"); err != nil {
			return nil, err
		}
	case "specific-offsets":
		if c.boundOffsets, err = needOffsets(t, "scan.bounded.specific-offsets", "scan.bounded.mode"); err != nil {
			return nil, err
		}
	}

	if err := checkFormats(t, c); err != nil {
		return nil, err
	}
	if err := checkMetadata(t); err != nil {
		return nil, err
	}
	c.partitioner = lower(t, "sink.partitioner", "default")
	c.guarantee = lower(t, "sink.delivery-guarantee", "at-least-once")
	c.txnPrefix = strings.TrimSpace(connector.OptionString(t, "sink.transactional-id-prefix", ""))
	if c.guarantee == "exactly-once" && c.txnPrefix == "" {
		return nil, connector.OptionError(t, "sink.transactional-id-prefix", "table '%s': 'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix' (unique per job, as in Flink)", t.Name)
	}
	if c.security, err = parseSecurity(t); err != nil {
		return nil, err
	}
	return c, nil
}

func needInt(t *planner.TableDesc, key, mode string) (int64, error) {
	if _, ok := t.Option(key); !ok {
		m, _ := t.Option(mode)
		return 0, connector.OptionError(t, mode, "'%s' = '%s' needs option '%s'", mode, m, key)
	}
	return connector.OptionInt(t, key, 0)
}

// needOffsets reads 'partition:0,offset:42;partition:1,offset:300'.
func needOffsets(t *planner.TableDesc, key, mode string) (map[int32]int64, error) {
	v, ok := t.Option(key)
	if !ok {
		m, _ := t.Option(mode)
		return nil, connector.OptionError(t, mode, "'%s' = '%s' needs option '%s'", mode, m, key)
	}
	out, err := ParseSpecificOffsets(v)
	if err != nil {
		return nil, connector.OptionError(t, key, "option '%s': %v", key, err)
	}
	return out, nil
}

// ParseSpecificOffsets reads Flink's 'partition:0,offset:42;partition:1,offset:300'.
func ParseSpecificOffsets(v string) (map[int32]int64, error) {
	out := map[int32]int64{}
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var p, o string
		var hasP, hasO bool
		for _, kv := range strings.Split(part, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(kv), ":")
			switch {
			case ok && strings.TrimSpace(k) == "partition":
				p, hasP = strings.TrimSpace(val), true
			case ok && strings.TrimSpace(k) == "offset":
				o, hasO = strings.TrimSpace(val), true
			default:
				return nil, fmt.Errorf("invalid entry '%s': expected 'partition:N,offset:M'", part)
			}
		}
		if !hasP || !hasO {
			return nil, fmt.Errorf("invalid entry '%s': expected 'partition:N,offset:M'", part)
		}
		pn, err := strconv.ParseInt(p, 10, 32)
		if err != nil || pn < 0 {
			return nil, fmt.Errorf("invalid partition '%s' in '%s'", p, part)
		}
		on, err := strconv.ParseInt(o, 10, 64)
		if err != nil || on < 0 {
			return nil, fmt.Errorf("invalid offset '%s' in '%s'", o, part)
		}
		if _, dup := out[int32(pn)]; dup {
			return nil, fmt.Errorf("partition %d is given twice", pn)
		}
		out[int32(pn)] = on
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no offsets given: expected 'partition:0,offset:42;partition:1,offset:300'")
	}
	return out, nil
}

// checkFormats checks format, value.format, key.format and key.fields.
func checkFormats(t *planner.TableDesc, c *config) error {
	_, hasF := t.Option("format")
	vf, hasVF := t.Option("value.format")
	switch {
	case hasF && hasVF:
		return connector.OptionError(t, "value.format", "table '%s': give either 'format' or 'value.format', not both", t.Name)
	case !hasF && !hasVF:
		return connector.OptionError(t, "format", "table '%s': connector 'kafka' needs option 'format' (or 'value.format')", t.Name)
	case hasVF:
		if _, err := connector.LookupFormat(vf); err != nil {
			return connector.OptionError(t, "value.format", "%v", err)
		}
		// The runtime builds the payload decoder from 'format' only.
		return connector.OptionError(t, "value.format", "option 'value.format' is not supported yet by the runtime: write 'format' = '%s' instead (same meaning)", vf)
	}
	// The value is decoded and encoded with 'format' and its options
	// ('json.*'): options of 'value.format' would be accepted and unused.
	for _, o := range t.Options {
		if rest, ok := strings.CutPrefix(o.Key, "value.json."); ok {
			return sql.Errorf(o.Pos, "option '%s' is not supported yet by the runtime (nor is 'value.format'): write '%s' instead (same meaning)", o.Key, "json."+rest)
		}
	}
	c.exceptKey = lower(t, "value.fields-include", "all") == "except_key"
	c.keyPrefix = connector.OptionString(t, "key.fields-prefix", "")
	kf, hasKF := t.Option("key.fields")
	kfmt, hasKFmt := t.Option("key.format")
	if hasKFmt != hasKF {
		if hasKF {
			return connector.OptionError(t, "key.fields", "option 'key.fields' needs 'key.format' (for example 'json')")
		}
		return connector.OptionError(t, "key.format", "option 'key.format' needs 'key.fields': the columns that make up the key")
	}
	if c.keyPrefix != "" && !c.exceptKey {
		return connector.OptionError(t, "key.fields-prefix", "option 'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY'")
	}
	if !hasKF {
		if c.exceptKey {
			return connector.OptionError(t, "value.fields-include", "'value.fields-include' = 'EXCEPT_KEY' needs 'key.fields'")
		}
		return nil
	}
	if _, err := connector.LookupFormat(kfmt); err != nil {
		return connector.OptionError(t, "key.format", "%v", err)
	}
	for _, name := range strings.Split(kf, ";") {
		name = strings.TrimSpace(name)
		idx := t.Columns.Index(name)
		if idx < 0 || t.Kinds[idx] != sql.PhysicalColumn {
			var phys []string
			for i, col := range t.Columns {
				if t.Kinds[i] == sql.PhysicalColumn {
					phys = append(phys, col.Name)
				}
			}
			return connector.OptionError(t, "key.fields", "option 'key.fields': '%s' is not a physical column of table '%s'%s; physical columns: %s",
				name, t.Name, connector.DidYouMean(name, phys), strings.Join(phys, ", "))
		}
		if c.keyPrefix != "" && !strings.HasPrefix(name, c.keyPrefix) {
			return connector.OptionError(t, "key.fields", "option 'key.fields': column '%s' does not start with 'key.fields-prefix' '%s'", name, c.keyPrefix)
		}
		for _, k := range c.keyFields {
			if k == idx {
				return connector.OptionError(t, "key.fields", "option 'key.fields': '%s' is given twice", name)
			}
		}
		c.keyFields = append(c.keyFields, idx)
	}
	return nil
}

// metadataTypes are Flink's types of the kafka metadata columns.
var metadataTypes = []struct {
	key   string
	kinds []types.Kind
	flink string
}{
	{"topic", []types.Kind{types.String}, "STRING"},
	{"partition", []types.Kind{types.Int}, "INT"},
	{"offset", []types.Kind{types.BigInt}, "BIGINT"},
	{"timestamp", []types.Kind{types.TimestampLTZ, types.Timestamp}, "TIMESTAMP_LTZ(3)"},
	{"timestamp-type", []types.Kind{types.String}, "STRING"},
	{"headers", []types.Kind{types.Map}, "MAP<STRING, BYTES>"},
}

// checkMetadata checks metadata keys and their declared types.
func checkMetadata(t *planner.TableDesc) error {
	for i, col := range t.Columns {
		if t.Kinds[i] != sql.MetadataColumn {
			continue
		}
		key := t.MetadataKeys[i]
		found := false
		var keys []string
		for _, m := range metadataTypes {
			keys = append(keys, m.key)
			if m.key != key {
				continue
			}
			found = true
			ok := false
			for _, k := range m.kinds {
				ok = ok || col.Type.Kind == k
			}
			if !ok {
				return sql.Errorf(t.Pos, "table '%s': metadata column %q: '%s' is %s in Flink, not %s", t.Name, col.Name, key, m.flink, col.Type)
			}
			if key != "timestamp" && key != "headers" && !t.Virtual[i] {
				return sql.Errorf(t.Pos, "table '%s': metadata column %q: '%s' can only be read; declare it VIRTUAL", t.Name, col.Name, key)
			}
		}
		if !found && strings.HasPrefix(key, "value.") {
			f, _ := t.Option("format")
			return sql.Errorf(t.Pos, "table '%s': metadata column %q: '%s' is metadata of the value format ('%s'), which is not supported yet; the connector's keys are: %s",
				t.Name, col.Name, key, f, strings.Join(keys, ", "))
		}
		if !found {
			sort.Strings(keys)
			return sql.Errorf(t.Pos, "table '%s': metadata column %q: unknown metadata key '%s' for connector 'kafka'%s; keys: %s",
				t.Name, col.Name, key, connector.DidYouMean(key, keys), strings.Join(keys, ", "))
		}
	}
	return nil
}

// ---------------------------------------------------------------- client

// connectTimeout bounds how long opening a connection may take in all,
// however sarama's retries add up.
const connectTimeout = 30 * time.Second

// saramaConfig builds the client configuration shared by sources and sinks.
func (c *config) saramaConfig() (*sarama.Config, error) {
	sc := sarama.NewConfig()
	sc.Version = sarama.V2_8_0_0
	sc.ClientID = connector.OptionString(c.table, "properties.client.id", "streamsql")
	sc.Net.DialTimeout = 10 * time.Second
	sc.Metadata.Retry.Max = 3
	sc.Metadata.Retry.Backoff = 500 * time.Millisecond
	sc.Metadata.Timeout = 25 * time.Second
	sc.Metadata.Full = false
	if err := c.security.apply(sc, c.table); err != nil {
		return nil, err
	}
	return sc, nil
}

// connect opens a client, giving up after connectTimeout (or when ctx
// ends) with an error naming the brokers.
func (c *config) connect(ctx context.Context, sc *sarama.Config) (sarama.Client, error) {
	type result struct {
		cl  sarama.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		cl, err := sarama.NewClient(c.brokers, sc)
		if err == nil {
			// NewClient connects lazily: ask for metadata now so that an
			// unreachable cluster or bad credentials fail here.
			if err = cl.RefreshMetadata(); err != nil {
				cl.Close()
				cl = nil
			}
		}
		ch <- result{cl, err}
	}()
	timer := time.NewTimer(connectTimeout)
	defer timer.Stop()
	giveUp := func(why string) (sarama.Client, error) {
		go func() { // close the client if it connects after all
			if r := <-ch; r.cl != nil {
				r.cl.Close()
			}
		}()
		return nil, fmt.Errorf("kafka: cannot reach brokers %s: %s", strings.Join(c.brokers, ","), why)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("kafka: cannot reach brokers %s ('properties.bootstrap.servers'): %s", strings.Join(c.brokers, ","), cleanErr(r.err))
		}
		return r.cl, nil
	case <-timer.C:
		return giveUp(fmt.Sprintf("no answer within %s", connectTimeout))
	case <-ctx.Done():
		return giveUp(ctx.Err().Error())
	}
}

// cleanErr shortens sarama's wording.
func cleanErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "kafka: client has run out of available brokers to talk to: ")
	return s
}

// partitionsOf lists a topic's partitions, with an error naming a
// missing topic and the brokers asked (why adds a reason).
func partitionsOf(cl sarama.Client, topic string, brokers []string, why string) ([]int32, error) {
	ps, err := cl.Partitions(topic)
	if err != nil {
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return nil, fmt.Errorf("kafka: topic '%s' does not exist on brokers %s ('properties.bootstrap.servers')%s", topic, strings.Join(brokers, ","), why)
		}
		return nil, fmt.Errorf("kafka: topic '%s': %s", topic, cleanErr(err))
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("kafka: topic '%s' has no partitions", topic)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps, nil
}
