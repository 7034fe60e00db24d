// Package json is the 'json' format.
//
// Decoding walks the record once with a hand-written scanner (scan.go):
// it validates the whole text (so malformed records are always caught),
// converts only the top-level keys that match the wanted columns and
// skips everything else, nested values included, without building
// anything. Strings are scanned eight bytes at a time. Conversions follow
// Flink's JsonToRowDataConverters: "12" and 12.7 into INT give 12, numbers
// into STRING keep their text, objects/arrays into STRING give compact
// JSON, timestamps accept 'yyyy-MM-dd HH:mm:ss[.f]' and the 'T' form.
// Deliberate differences from Flink: a string other than true/false into
// BOOLEAN is a conversion error (Flink reads it as false), a DECIMAL that
// overflows its precision is an error (Flink gives NULL), TIMESTAMP_LTZ
// also accepts text without the trailing 'Z'.
//
// Encoding appends into the caller's buffer with no allocation: field
// names are pre-escaped, DOUBLE as Java prints it (1.0, 1.0E10, NaN as a
// string like Jackson), DECIMAL in plain notation keeping its scale,
// timestamps without trailing zeros.
//
// FuzzDecode checks the scanner never panics and agrees with
// encoding/json on what it extracts; BenchmarkDecodeAdEvent measures the
// projection-pushdown case.
package json
