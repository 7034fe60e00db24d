// Package progress renders a running job's figures (runtime.Snapshot)
// for people: Render draws the compact status block that `streamsql run`
// refreshes on a terminal, Attrs gives the same figures as log/slog
// attributes for periodic logs when standard error is not a terminal,
// and Details lists per-source and per-sink totals after a bounded run.
//
// Every function here is pure: it reads only the snapshot (lags are
// measured against Snapshot.Taken, not the clock), so the output is tested
// on fixed snapshots. Taking snapshots, timing refreshes and drawing on
// the terminal belong to the command (cmd/streamsql/progress.go).
package progress
