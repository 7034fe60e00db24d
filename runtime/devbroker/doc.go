// Package devbroker runs an in-process Kafka-protocol broker for local runs
// and tests: `streamsql kafka`, `streamsql demo` and the Kafka connector's
// integration tests start one with Start.
//
// It wraps github.com/twmb/franz-go/pkg/kfake, a fake Kafka cluster that
// speaks the real wire protocol (sarama, kcat and the Java client work
// against it). The broker is a single node listening on 127.0.0.1 by
// default; topics a client asks for are created on demand with
// Config.Partitions partitions, and CreateTopic creates one explicitly.
//
// It is for development and tests, not production: every record is kept
// in memory (about 3.4 times its payload size) until the process exits,
// there is no replication, no retention and no security. With
// Config.DataDir it also writes its state to that directory so that topics
// and committed group offsets survive a restart; it still holds everything
// in memory.
package devbroker
