package planner

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/config"
)

// Mini-batch (table.exec.mini-batch.*): a group aggregation emits the
// changes of a batch of rows together, at most one per key, when the
// batch holds table.exec.mini-batch.size rows or its first row has waited
// table.exec.mini-batch.allow-latency (runtime/ops/minibatch.go). As in
// Flink, both must be above 0 when it is enabled. Only the group
// aggregation takes it (Flink's other mini-batch operators, the local/
// global split and mini-batch joins, are not built).

const (
	SettingMiniBatchEnabled = "table.exec.mini-batch.enabled"
	SettingMiniBatchLatency = "table.exec.mini-batch.allow-latency"
	SettingMiniBatchSize    = "table.exec.mini-batch.size"
)

// miniBatch is the mini-batch of a group aggregation written at pos: its
// latency in milliseconds and its size in rows, 0 and 0 when off.
func (p *planner) miniBatch(pos sql.Pos) (latency, size int64, err error) {
	on, _ := config.Bool(strings.TrimSpace(p.settings[SettingMiniBatchEnabled]))
	if !on {
		return 0, 0, nil
	}
	d, derr := config.Duration(p.settings[SettingMiniBatchLatency])
	if derr != nil || d.Milliseconds() <= 0 {
		return 0, 0, errAt(pos, "'%s' is true: SET '%s' to a duration above 0 (Flink's rule; 0, the default, is refused when mini-batch is enabled)", SettingMiniBatchEnabled, SettingMiniBatchLatency)
	}
	n, nerr := strconv.ParseInt(strings.TrimSpace(p.settings[SettingMiniBatchSize]), 10, 64)
	if nerr != nil || n <= 0 {
		return 0, 0, errAt(pos, "'%s' is true: SET '%s' to a number of rows above 0 (Flink's rule; -1, the default, is refused when mini-batch is enabled)", SettingMiniBatchEnabled, SettingMiniBatchSize)
	}
	return d.Milliseconds(), n, nil
}
