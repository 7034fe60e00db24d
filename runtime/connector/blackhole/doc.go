// Package blackhole is the 'blackhole' connector: a sink that discards
// rows (counting them), for benchmarks.
package blackhole
