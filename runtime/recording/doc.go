// Package recording is the one place that reads and writes recorded
// stream lines: the input sections of golden tests (runtime/golden), the
// files `streamsql record` writes from a Kafka topic, and what the
// filesystem connector replays with 'source.recording' = 'true'.
//
// One record per line, optional prefixes first, then the value as is:
//
//	p=2 off=17 ts=1767225600001 key="user-1" h="trace":"abc" {"campaign_id": "c1", ...}
//
//	p=N       partition (the source split); default 0
//	off=N     Kafka offset; default: counted per partition from 0
//	ts=MS     record timestamp, epoch milliseconds; default 0
//	key="…"   record key, a Go-quoted string (any bytes); default none
//	h="k":"v" one header, both Go-quoted; repeatable
//	value="…" the value Go-quoted, for values a plain line cannot hold
//	          (line breaks, invalid UTF-8, leading blanks, a prefix-like
//	          start); otherwise the rest of the line is the value
//
// Prefixes are separated by single spaces and must come in no particular
// order; the first token that is not a known prefix starts the value.
package recording
