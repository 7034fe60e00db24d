package planner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/config"
	"github.com/streamsql/streamsql/sql/window"
)

// SET values the engine reads are validated here, once, at the SET
// statement, so that a bad value is reported as file:line:col before
// anything runs, as Flink validates its configuration when the job is
// submitted. Keys not listed are accepted unread (Flink takes any key).

// Settings read by the planner itself.
const (
	// SettingMaxWindowsPerRow bounds how many windows one row may fall
	// in (HOP size/slide, CUMULATE size/step), a streamsql extension:
	// each such window holds its own copy of the row's aggregates.
	SettingMaxWindowsPerRow = "table.exec.window.max-windows-per-row"
	// DefaultMaxWindowsPerRow is its value when not SET.
	DefaultMaxWindowsPerRow = 10000
	// SettingCheckpointInterval turns periodic checkpoints on.
	SettingCheckpointInterval = "execution.checkpointing.interval"
	// MinCheckpointInterval is Flink's smallest checkpoint interval
	// (CheckpointConfig.MINIMAL_CHECKPOINT_TIME).
	MinCheckpointInterval = 10 * time.Millisecond
	// SettingExecutionTarget is where the job runs (Flink's key):
	// TargetLocal, one process (the default), or TargetKafkaGroup, the
	// instances of one pipeline.name coordinated by a Kafka consumer
	// group (docs/scale-out.md).
	SettingExecutionTarget = "execution.target"
	TargetLocal            = "local"
	TargetKafkaGroup       = "kafka-group"
)

// settingKind is what a SET value must be.
type settingKind uint8

const (
	settingDuration settingKind = iota + 1
	settingInt
	settingMemory
	settingTimeZone
	settingBool
	settingEnum
)

// settingSpec is one SET key whose value the engine parses.
type settingSpec struct {
	kind settingKind
	// min is the smallest value allowed: milliseconds for durations,
	// bytes for memory sizes.
	min int64
	// minHint explains the minimum in the error message.
	minHint string
	// values are the accepted values of an enum setting.
	values []string
}

// knownSettings are the SET keys whose values are checked.
var knownSettings = map[string]settingSpec{
	"table.local-time-zone":                         {kind: settingTimeZone},
	"pipeline.auto-watermark-interval":              {kind: settingDuration},
	"table.exec.source.idle-timeout":                {kind: settingDuration},
	"table.exec.interval-join.min-cleanup-interval": {kind: settingDuration},
	SettingCheckpointInterval: {kind: settingDuration, min: MinCheckpointInterval.Milliseconds(),
		minHint: "Flink's minimum; to run without checkpoints, leave the option unset or RESET it"},
	"state.checkpoints.num-retained":                       {kind: settingInt, min: 1},
	"execution.checkpointing.tolerable-failed-checkpoints": {kind: settingInt, min: 0},
	"state.backend.memory-limit":                           {kind: settingMemory, min: 1},
	"state.backend.incremental":                            {kind: settingBool},
	SettingParallelism:                                     {kind: settingInt, min: 1},
	SettingMaxParallelism:                                  {kind: settingInt, min: 1},
	SettingMaxWindowsPerRow:                                {kind: settingInt, min: 1},
	SettingStateTTL:                                        {kind: settingDuration},
	SettingMiniBatchEnabled:                                {kind: settingBool},
	SettingMiniBatchLatency:                                {kind: settingDuration},
	SettingExecutionTarget:                                 {kind: settingEnum, values: []string{TargetLocal, TargetKafkaGroup}},
}

// CheckSetting validates one SET statement's value, reporting an error at
// the statement. Plan calls it for every SET; the SQL client calls it when
// a SET is typed.
func CheckSetting(st *sql.Set) error {
	spec, ok := knownSettings[st.Key]
	if !ok {
		return nil
	}
	bad := func(format string, args ...any) error {
		return errAt(st.Pos, "SET '%s' = '%s': %s", st.Key, st.Value, fmt.Sprintf(format, args...))
	}
	v := strings.TrimSpace(st.Value)
	switch spec.kind {
	case settingTimeZone:
		if v == "" {
			return nil // the default zone
		}
		if _, err := time.LoadLocation(v); err != nil {
			return bad("unknown time zone (use a name of the IANA time-zone database such as 'UTC' or 'Europe/Berlin')")
		}
	case settingDuration:
		d, err := config.Duration(v)
		if err != nil {
			return bad("%v", err)
		}
		if d < time.Duration(spec.min)*time.Millisecond {
			return bad("must be at least %s (%s)", window.FormatDuration(spec.min), spec.minHint)
		}
	case settingMemory:
		n, err := config.Memory(v)
		if err != nil {
			return bad("%v", err)
		}
		if n < spec.min {
			return bad("must be more than 0 bytes")
		}
	case settingBool:
		if _, err := config.Bool(v); err != nil {
			return bad("%v", err)
		}
	case settingEnum:
		if !slices.Contains(spec.values, v) {
			return bad("want one of '%s'", strings.Join(spec.values, "', '"))
		}
	case settingInt:
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < spec.min {
			if spec.min == 1 {
				return bad("want a positive integer")
			}
			return bad("want a non-negative integer")
		}
	}
	return nil
}

// maxWindowsPerRow is the SET value of SettingMaxWindowsPerRow in force
// (validated by CheckSetting), or its default.
func (p *planner) maxWindowsPerRow() int64 {
	if v, ok := p.settings[SettingMaxWindowsPerRow]; ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n
		}
	}
	return DefaultMaxWindowsPerRow
}
