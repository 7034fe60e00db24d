// Package filesystem is the 'filesystem' connector: a bounded source
// over a JSON-lines file or a directory of them (files in name order,
// names starting with '.' or '_' skipped, each file one split), and a
// sink writing one encoded row per line to a file or a part file in a
// directory. The source reads through a 1 MiB bufio buffer and copies a
// poll's lines into one reused buffer, so a poll costs a few allocations,
// not one per record; Record.Where ("file:line") strings share one
// allocation per poll.
package filesystem
