// Package print is the 'print' connector: it writes each row as Flink's
// print sink does, `+I[a, 1, 2026-05-28 20:28:50.500]`, values rendered
// by Flink's CAST-to-STRING rules (NULL as null, BOOLEAN as TRUE/FALSE,
// TIMESTAMP(p) padded to p digits). Formatter is exported so test
// harnesses can capture rows in the same form.
package print
