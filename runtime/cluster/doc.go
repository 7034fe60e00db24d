// Package cluster is the membership and assignment layer of a job run by
// several instances (SET 'execution.target' = 'kafka-group',
// docs/scale-out.md): every instance of one pipeline.name joins the Kafka
// consumer group named after it through sarama's consumer-group API, and
// the group's leader assigns the job's tasks with Assignor, a sticky
// balance strategy of ours. There is no coordinator of our own: Kafka's
// group protocol elects the leader, fences old generations and notices
// instances that leave or die, as it does for Kafka Streams.
//
// A task is a slice of the dataflow for one partition: today a partition
// of a source topic (Task); partitions of internal repartition topics come
// with the distributed runtime (issue 14).
package cluster
