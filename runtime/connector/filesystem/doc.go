// Package filesystem is the 'filesystem' connector: a bounded source
// over a JSON-lines file or a directory of them (files in name order,
// names starting with '.' or '_' skipped, each file one split), and a
// sink writing one encoded row per line to a file or a part file in a
// directory. The source reads 1 MiB at a time into one buffer and hands
// out records pointing into it (valid until the next Poll, as the
// connector contract says): no copy and no allocation per line. A poll
// ends early when the buffer must be refilled. Records carry File and
// Line instead of a Where text; Record.Location builds "file:line" only
// when a message needs it.
package filesystem
