// Package print is the 'print' connector: it writes each row as Flink's
// print sink does, `+I[a, 1, 2026-05-28 20:28:50.500]`. Values are
// rendered by sql/types.AppendValue, Flink's CAST-to-STRING rules
// (BOOLEAN as TRUE/FALSE, TIMESTAMP(p) padded to p digits, DOUBLE as Java
// prints it, a NULL inside an ARRAY as NULL); a NULL field prints as
// `null`. TIMESTAMP_LTZ is printed in the session time zone,
// 'table.local-time-zone' from the job's settings (UTC by default).
// Formatter is exported so test harnesses can capture rows in the same
// form.
package print
