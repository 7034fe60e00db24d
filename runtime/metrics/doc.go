// Package metrics serves a running job's figures to Prometheus, using
// the standard client (github.com/prometheus/client_golang) rather than a
// hand-written exposition format.
//
// Collector is a prometheus.Collector that takes a runtime.Snapshot at
// scrape time: per-operator counters are atomics the executor maintains
// anyway and split watermarks are published once per poll, so being
// scraped costs the job nothing per row. Names follow Flink's metrics
// where Flink has one (numRecordsIn, numRecordsOut, numLateRecordsDropped,
// currentInputWatermark, watermarkLag, sourceIdleTime,
// numberOfCompletedCheckpoints, lastCheckpointDuration,
// lastCheckpointSize), prefixed with "streamsql_"; ours fill the gaps
// (numRecordsSkipped, openWindows, splitWatermark, splitIdle, stateSize).
// Operator metrics carry the labels job, operator_id and operator_name;
// split metrics add split. docs/operations.md lists every metric.
//
// ListenAddr applies the --metrics-addr rule (a bare port binds
// 127.0.0.1 only) and Serve runs the HTTP endpoint at /metrics.
package metrics
