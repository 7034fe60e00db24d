// Package datagen is the 'datagen' connector, with Flink's options:
// random fields (min/max, length, null-rate, max-past) and sequences
// (start/end; the source ends after the last). It produces rows directly
// in Record.Row, laid out as Env.ReadColumns, so no decoder runs.
// 'streamsql.seed' makes runs repeatable.
package datagen
