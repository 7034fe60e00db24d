package planner

import (
	"strings"
	"testing"
)

const settingsTail = "\nCREATE TABLE t (x INT) WITH ('connector' = 'datagen');\n" +
	"CREATE TABLE o (x INT) WITH ('connector' = 'blackhole');\n" +
	"INSERT INTO o SELECT x FROM t;"

// Every malformed value of a SET key the engine reads is refused while
// planning, at the SET statement's file:line:col, naming key and value.
// They used to surface only when the job was built, without a position.
func TestSetValuesPositioned(t *testing.T) {
	for _, c := range []struct{ set, want string }{
		{"SET 'execution.checkpointing.interval' = '10 sec0';", "unknown unit 'sec0'"},
		{"SET 'execution.checkpointing.interval' = 'often';", "invalid duration 'often'"},
		// Flink's CheckpointConfig.setCheckpointInterval refuses anything
		// below 10 ms: '0 s' does not mean "off".
		{"SET 'execution.checkpointing.interval' = '0 s';", "must be at least 10 ms"},
		{"SET 'execution.checkpointing.interval' = '9ms';", "must be at least 10 ms"},
		{"SET 'pipeline.auto-watermark-interval' = '200 millis0';", "invalid duration"},
		{"SET 'table.exec.source.idle-timeout' = '-1 s';", "invalid duration"},
		{"SET 'state.checkpoints.num-retained' = '0';", "want a positive integer"},
		{"SET 'execution.checkpointing.tolerable-failed-checkpoints' = '-1';", "want a non-negative integer"},
		{"SET 'state.backend.memory-limit' = '64 mib0';", "invalid memory size"},
		{"SET 'state.backend.memory-limit' = '0 mb';", "more than 0 bytes"},
		{"SET 'state.backend.incremental' = 'yes';", "invalid boolean 'yes'"},
		{"SET 'table.local-time-zone' = 'Mars/Olympus';", "unknown time zone"},
		{"SET 'table.exec.window.max-windows-per-row' = 'many';", "want a positive integer"},
		{"SET 'parallelism.default' = '0';", "want a positive integer"},
		// Flink's other targets (remote, yarn-*, kubernetes-*) are not ours.
		{"SET 'execution.target' = 'remote';", "want one of 'local', 'kafka-group'"},
	} {
		src := "-- settings\n  " + c.set + settingsTail
		_, err := planText(t, src)
		if err == nil {
			t.Errorf("%s: planned", c.set)
			continue
		}
		se := asSQLError(t, err)
		key := c.set[strings.Index(c.set, "'"):strings.Index(c.set, " =")]
		if se.Pos.Line != 2 || se.Pos.Col != 3 || !strings.Contains(se.Msg, c.want) || !strings.Contains(se.Msg, key) {
			t.Errorf("%s: got %v, want test.sql:2:3: ...%s... naming %s", c.set, err, c.want, key)
		}
	}
}

// Good values plan, and a RESET of a key is not checked.
func TestSetValuesAccepted(t *testing.T) {
	for _, set := range []string{
		"SET 'execution.checkpointing.interval' = '10 ms';",
		"SET 'execution.checkpointing.interval' = '1 min';",
		"SET 'pipeline.auto-watermark-interval' = '0';",
		"SET 'table.exec.source.idle-timeout' = '30 s';",
		"SET 'state.checkpoints.num-retained' = '3';",
		"SET 'execution.checkpointing.tolerable-failed-checkpoints' = '0';",
		"SET 'state.backend.memory-limit' = '64 mb';",
		"SET 'state.backend.incremental' = 'false';",
		"SET 'table.local-time-zone' = 'Europe/Berlin';",
		"SET 'table.exec.window.max-windows-per-row' = '1';",
		"SET 'some.unknown.key' = 'anything';",
		"SET 'execution.target' = 'local';",
		"SET 'execution.target' = 'kafka-group';",
		"RESET 'execution.checkpointing.interval';",
	} {
		if _, err := planText(t, set+settingsTail); err != nil {
			t.Errorf("%s: %v", set, err)
		}
	}
}

const windowsTable = "CREATE TABLE t (x INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');\n" +
	"CREATE TABLE o (n BIGINT) WITH ('connector' = 'blackhole');\n"

// One row falls into size/slide HOP windows (size/step CUMULATE windows),
// each with its own aggregates: above the limit the window is refused
// at plan time, naming the window, its sizes and the option.
func TestWindowsPerRowLimit(t *testing.T) {
	const hopTVF = "INSERT INTO o SELECT COUNT(*) FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), %s, %s)) GROUP BY window_start, window_end;"
	const cumTVF = "INSERT INTO o SELECT COUNT(*) FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), %s, %s)) GROUP BY window_start, window_end;"
	const hopLegacy = "INSERT INTO o SELECT COUNT(*) FROM t GROUP BY HOP(ts, %s, %s);"
	const hopJoinless = "INSERT INTO o SELECT CAST(x AS BIGINT) FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), %s, %s));"
	ms := func(n int) string {
		return "INTERVAL '" + strings.TrimSuffix(strings.TrimSuffix(sprintf("%.3f", float64(n)/1000), "0"), ".") + "' SECOND"
	}
	cases := []struct {
		name, form  string
		small, size string
		windows     int
		set         string
		ok          bool
		col         int
	}{
		// 2 hours sliding every millisecond: 7.2 million windows per row.
		{"HOP TVF", hopTVF, "INTERVAL '0.001' SECOND", "INTERVAL '2' HOUR", 7200000, "", false, 36},
		{"HOP legacy GROUP BY", hopLegacy, "INTERVAL '1' SECOND", "INTERVAL '1' DAY", 86400, "", false, 47},
		{"CUMULATE TVF", cumTVF, "INTERVAL '1' SECOND", "INTERVAL '1' DAY", 86400, "", false, 36},
		{"HOP without aggregation", hopJoinless, "INTERVAL '1' SECOND", "INTERVAL '1' DAY", 86400, "", false, 45},
		{"at the limit", hopTVF, ms(1), ms(10000), 10000, "", true, 0},
		{"one above the limit", hopTVF, ms(1), ms(10001), 10001, "", false, 36},
		{"raised", hopTVF, "INTERVAL '1' SECOND", "INTERVAL '1' DAY", 86400, "SET 'table.exec.window.max-windows-per-row' = '86400';\n", true, 0},
		{"lowered", cumTVF, "INTERVAL '1' MINUTE", "INTERVAL '1' HOUR", 60, "SET 'table.exec.window.max-windows-per-row' = '59';\n", false, 36},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := windowsTable + c.set + sprintf(c.form, c.small, c.size)
			_, err := planText(t, src)
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("planned")
			}
			se := asSQLError(t, err)
			line := 3
			if c.set != "" {
				line = 4
			}
			kind := "HOP"
			if strings.Contains(c.form, "CUMULATE") {
				kind = "CUMULATE"
			}
			if se.Pos.Line != line || se.Pos.Col != c.col || !strings.HasPrefix(se.Msg, kind+"(") ||
				!strings.Contains(se.Msg, sprintf("into %d windows", c.windows)) || !strings.Contains(se.Msg, "'"+SettingMaxWindowsPerRow+"'") {
				t.Errorf("got %v; want test.sql:%d:%d: %s(...) ... into %d windows ... naming the option", err, line, c.col, kind, c.windows)
			}
		})
	}
}
