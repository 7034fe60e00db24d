package planner

import (
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/config"
)

// State retention (Flink's idle state retention): every keyed operator
// without a window (GroupAggregate, Join, Rank, Deduplicate,
// OverAggregate) drops the state of a key not written for
// table.exec.state.ttl (0, the default: never). The STATE_TTL hint
// overrides it per input of a regular join and for a group aggregation,
// as in Flink 1.18+: SELECT /*+ STATE_TTL('o' = '1d', 'p' = '12h') */ ...,
// keyed by the inputs' table names or aliases; a key that names no such
// input is an error, as in Flink.

// SettingStateTTL is the pipeline-wide idle state retention.
const SettingStateTTL = "table.exec.state.ttl"

// stateTTLHint is the STATE_TTL hint of the SELECT being planned.
type stateTTLHint struct {
	opts []sql.HintOption
	ms   []int64
	used []bool
}

// withStateTTLHint plans s with its STATE_TTL hint in force (none when it
// has none: a hint applies to its own query block only), then checks that
// every key of the hint named an input.
func (p *planner) withStateTTLHint(s *sql.Select, plan func() (*rel, error)) (*rel, error) {
	saved := p.hint
	defer func() { p.hint = saved }()
	p.hint = nil
	for _, h := range s.Hints {
		if p.hint == nil {
			p.hint = &stateTTLHint{}
		}
		for _, o := range h.Options {
			d, err := config.Duration(o.Value)
			if err != nil {
				return nil, errAt(o.Pos, "STATE_TTL('%s' = '%s'): %v", o.Key, o.Value, err)
			}
			p.hint.opts = append(p.hint.opts, o)
			p.hint.ms = append(p.hint.ms, d.Milliseconds())
			p.hint.used = append(p.hint.used, false)
		}
	}
	r, err := plan()
	if err != nil || p.hint == nil {
		return r, err
	}
	for i, o := range p.hint.opts {
		if !p.hint.used[i] {
			return nil, errAt(o.Pos, "STATE_TTL: '%s' is not an input of a regular join or group aggregation of this SELECT (the keys are the inputs' table names, view names or aliases)", o.Key)
		}
	}
	return r, nil
}

// stateTTL is the retention in milliseconds of an operator's state for
// the input written as from: the hint's value for its name, else
// table.exec.state.ttl (from nil: the setting only).
func (p *planner) stateTTL(from sql.FromItem) int64 {
	if name := fromName(from); name != "" && p.hint != nil {
		for i, o := range p.hint.opts {
			if strings.EqualFold(o.Key, name) {
				p.hint.used[i] = true
				return p.hint.ms[i]
			}
		}
	}
	return p.settingStateTTL()
}

// settingStateTTL is table.exec.state.ttl in milliseconds (validated by
// CheckSetting), 0 when not SET.
func (p *planner) settingStateTTL() int64 {
	d, err := config.Duration(p.settings[SettingStateTTL])
	if err != nil || d < time.Millisecond {
		return 0
	}
	return d.Milliseconds()
}

// fromName is the name a hint gives an input: its alias, else the table
// or view name ("" for an input without one, such as a join).
func fromName(f sql.FromItem) string {
	switch f := f.(type) {
	case *sql.TableRef:
		if f.Alias != "" {
			return f.Alias
		}
		return f.Name
	case *sql.SubqueryRef:
		return f.Alias
	}
	return ""
}
