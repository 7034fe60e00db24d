package kafka_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/xdg-go/stringprep"
)

// freeAddr is a 127.0.0.1 port nobody listens on.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnreachableBroker(t *testing.T) {
	addr := freeAddr(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	_, _, _, err := runSQL(t, ctx, idsQuery(addr, "t", `, 'scan.startup.mode' = 'earliest-offset'`))
	if err == nil {
		t.Fatal("want an error")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %s, want under 30 s", d)
	}
	msg := err.Error()
	if !strings.Contains(msg, "cannot reach brokers "+addr) || !strings.Contains(msg, "table src") {
		t.Errorf("error should name the table and the brokers: %s", msg)
	}
	if strings.Contains(msg, "goroutine") || strings.Contains(msg, ".go:") {
		t.Errorf("error looks like a stack trace: %s", msg)
	}
}

// A missing topic is an error naming it and the brokers, also on a
// broker that creates topics on demand (as the dev broker does): the
// source never creates one (a bounded run used to succeed with 0 rows).
func TestMissingTopic(t *testing.T) {
	for _, auto := range []bool{false, true} {
		t.Run(fmt.Sprintf("auto-create=%v", auto), func(t *testing.T) {
			opts := []kfake.Opt{kfake.SeedTopics(1, "other")}
			if auto {
				opts = append(opts, kfake.AllowAutoTopicCreation())
			}
			addr := cluster(t, opts...)
			for _, q := range []string{
				idsQuery(addr, "nope", `, 'scan.startup.mode' = 'earliest-offset'`),
				strings.Replace(idsQuery(addr, "nope", `, 'scan.startup.mode' = 'earliest-offset'`), ", 'scan.bounded.mode' = 'latest-offset'", "", 1),
			} {
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				_, _, _, err := runSQL(t, ctx, q)
				cancel()
				if err == nil || !strings.Contains(err.Error(), "topic 'nope' does not exist") || !strings.Contains(err.Error(), addr) {
					t.Fatalf("want an error naming the topic and the brokers, got %v", err)
				}
			}
			cl, err := sarama.NewClient([]string{addr}, clientConfig())
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			topics, err := cl.Topics()
			if err != nil {
				t.Fatal(err)
			}
			for _, tp := range topics {
				if tp == "nope" {
					t.Fatal("the source created topic 'nope'")
				}
			}
		})
	}
}

func TestMalformedRecords(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "t"))
	produce(t, addr,
		rec{topic: "t", partition: 1, value: `{"id": 1}`},
		rec{topic: "t", partition: 1, value: `{"id": 2}`},
		rec{topic: "t", partition: 1, value: `{"id": oops`},
		rec{topic: "t", partition: 0, value: `{"id": 3}`},
	)
	_, _, _, err := runSQL(t, t.Context(), idsQuery(addr, "t", `, 'scan.startup.mode' = 'earliest-offset'`))
	if err == nil || !strings.Contains(err.Error(), "topic t partition 1 offset 2") {
		t.Fatalf("want a parse error naming topic t partition 1 offset 2, got %v", err)
	}
	out, sum := mustRun(t, idsQuery(addr, "t", `, 'scan.startup.mode' = 'earliest-offset', 'json.ignore-parse-errors' = 'true'`))
	sameSet(t, "ignore-parse-errors", lines(out), idLines(1, 2, 3))
	if sum.RecordsSkipped != 1 {
		t.Errorf("records skipped: got %d, want 1", sum.RecordsSkipped)
	}
}

func TestOptionErrors(t *testing.T) {
	base := `CREATE TABLE src (id INT, k STRING) WITH ('connector' = 'kafka', 'topic' = 't',
  'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset'%s);
CREATE TABLE out (id INT) WITH ('connector' = 'print');
INSERT INTO out SELECT id FROM src;`
	cases := []struct{ extra, want string }{
		{`, 'scan.startup.mod' = 'x'`, "unsupported option 'scan.startup.mod' for connector 'kafka' (did you mean 'scan.startup.mode'?)"},
		{`, 'sink.partitoner' = 'fixed'`, "(did you mean 'sink.partitioner'?)"},
		{`, 'scan.bounded.mode' = 'latest'`, "option 'scan.bounded.mode': invalid value 'latest': expected one of unbounded, latest-offset"},
		{`, 'scan.bounded.mode' = 'timestamp'`, "'scan.bounded.mode' = 'timestamp' needs option 'scan.bounded.timestamp-millis'"},
		{`, 'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = 'partition:0;offset:1'`, "option 'scan.bounded.specific-offsets': invalid entry 'partition:0'"},
		{`, 'sink.delivery-guarantee' = 'exactly-once'`, "'exactly-once' needs 'sink.transactional-id-prefix'"},
		{`, 'key.fields' = 'kk', 'key.format' = 'json'`, "option 'key.fields': 'kk' is not a physical column of table 'src' (did you mean 'k'?)"},
		{`, 'key.fields' = 'k'`, "option 'key.fields' needs 'key.format'"},
		{`, 'topic-pattern' = 'a.*'`, "give either 'topic' or 'topic-pattern', not both"},
		{`, 'value.format' = 'json'`, "give either 'format' or 'value.format', not both"},
		{`, 'value.json.ignore-parse-errors' = 'true'`, "option 'value.json.ignore-parse-errors' is not supported yet by the runtime (nor is 'value.format'): write 'json.ignore-parse-errors' instead"},
		{`, 'properties.security.protocol' = 'SASL_SSL'`, "needs credentials"},
		{`, 'properties.security.protocol' = 'SSL', 'properties.ssl.endpoint.identification.algorithm' = 'http'`, "option 'properties.ssl.endpoint.identification.algorithm': invalid value 'http': expected 'https' (check the broker's host name) or '' (do not)"},
		{`, 'properties.ssl.endpoint.identification.algorithm' = 'none'`, "invalid value 'none': expected 'https'"},
		{`, 'properties.security.protocol' = 'SASL_PLAINTEXT', 'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" pasword="hunter2";'`, "needs both username"},
	}
	for _, c := range cases {
		_, _, _, err := runSQL(t, t.Context(), fmt.Sprintf(base, c.extra))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got: %v\nwant: ...%s...", c.extra, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	// A wrong metadata type names Flink's type.
	_, _, _, err := runSQL(t, t.Context(), `CREATE TABLE src (id INT, p BIGINT METADATA FROM 'partition' VIRTUAL) WITH ('connector' = 'kafka', 'topic' = 't',
  'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
CREATE TABLE out (id INT, p BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT id, p FROM src;`)
	if err == nil || !strings.Contains(err.Error(), "'partition' is INT in Flink, not BIGINT") {
		t.Errorf("metadata type: got %v", err)
	}
}

// Secrets never appear in errors: a wrong password against a broker
// that checks it, and a broken jaas line.
func TestSecretsNotShown(t *testing.T) {
	addr := cluster(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "admin", "right-secret"), kfake.SeedTopics(1, "t"))
	for _, opts := range []string{
		`, 'properties.security.protocol' = 'SASL_PLAINTEXT', 'properties.sasl.mechanism' = 'PLAIN',
  'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="wrong-secret";'`,
		`, 'properties.security.protocol' = 'SASL_PLAINTEXT', 'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="wrong-secret'`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, stderr, _, err := runSQL(t, ctx, idsQuery(addr, "t", `, 'scan.startup.mode' = 'earliest-offset'`+opts))
		cancel()
		if err == nil {
			t.Fatal("want an authentication error")
		}
		if strings.Contains(err.Error(), "wrong-secret") || strings.Contains(stderr, "wrong-secret") {
			t.Errorf("the password is shown: %v", err)
		}
	}
}

// SASL login against the broker's PLAIN and SCRAM (SHA-256 and SHA-512,
// github.com/xdg-go/scram on our side, kfake's own server code on the
// other). The second password changes under SASLprep (a no-break space
// and U+2168 'Ⅸ'): Kafka's brokers, like kfake, derive the credentials
// from its bytes as they are, so the client must not normalise it. A
// wrong password is refused.
func TestSASLLogin(t *testing.T) {
	const prepped = "pa\u00a0ss\u2168w\u00f6rd"
	if p, err := stringprep.SASLprep.Prepare(prepped); err != nil || p == prepped {
		t.Fatalf("SASLprep(%q) = %q, %v: the test needs a password SASLprep changes", prepped, p, err)
	}
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		for _, pw := range []string{"s3cret", prepped} {
			t.Run(fmt.Sprintf("%s/%q", mech, pw), func(t *testing.T) {
				addr := cluster(t, kfake.EnableSASL(), kfake.Superuser(mech, "alice", pw), kfake.SeedTopics(1, "t"))
				module := "plain.PlainLoginModule"
				if mech != "PLAIN" {
					module = "scram.ScramLoginModule"
				}
				q := fmt.Sprintf(`CREATE TABLE g (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3');
CREATE TABLE k (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '%s', 'format' = 'json',
  'properties.security.protocol' = 'SASL_PLAINTEXT', 'properties.sasl.mechanism' = '%s',
  'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.%s required username="alice" password="%s";');
INSERT INTO k SELECT id FROM g;`, addr, mech, module, pw)
				mustRun(t, q)
				login := `, 'scan.startup.mode' = 'earliest-offset', 'properties.security.protocol' = 'SASL_PLAINTEXT', 'properties.sasl.mechanism' = '%s', 'properties.sasl.username' = 'alice', 'properties.sasl.password' = '%s'`
				out, _ := mustRun(t, idsQuery(addr, "t", fmt.Sprintf(login, mech, pw)))
				sameSet(t, mech, lines(out), idLines(1, 2, 3))
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				if _, _, _, err := runSQL(t, ctx, idsQuery(addr, "t", fmt.Sprintf(login, mech, pw+"x"))); err == nil {
					t.Fatal("a wrong password logged in")
				}
			})
		}
	}
}
