package planner

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql"
)

// Parallelism and exchanges: after the graph is built, one rule
// (distribute) gives every node its parallelism and every input edge a
// distribution, as Flink's planner and job-graph builder do:
//
//   - a window or group aggregation is hashed by its group keys, a
//     ChangelogNormalize by the primary key, a rank
//     (Top-N, deduplication) by its partition keys (a SESSION window
//     by its PARTITION BY keys), a window or regular join by its join keys on each
//     side; with no key they need all rows in one subtask (single);
//   - a stateless node (Calc, Union, window TVF, side output) reads its
//     input forward at the input's parallelism, so it runs chained with
//     it;
//   - a sink reads forward, or rebalanced when 'sink.parallelism'
//     differs from its input's (hashed by the upsert key when the input
//     is a changelog, so each key's changes stay in order);
//   - sources run at 'scan.parallelism' or the default.
//
// EXPLAIN prints hash, single and broadcast edges as Exchange nodes, as
// Flink does; forward and rebalance edges are not printed (Flink decides
// them when it builds the job graph, not in the plan).

// Settings of parallelism (SET) and their defaults.
const (
	SettingParallelism    = "parallelism.default"
	SettingMaxParallelism = "pipeline.max-parallelism"
	// DefaultParallelism is 'parallelism.default' when not SET.
	DefaultParallelism = 1
	// DefaultMaxParallelism is 'pipeline.max-parallelism' when not SET:
	// the number of key groups.
	DefaultMaxParallelism = 128
	// maxMaxParallelism is Flink's upper bound of the max parallelism.
	maxMaxParallelism = 1 << 15
	// Table options overriding the parallelism of a source or a sink.
	OptionScanParallelism = "scan.parallelism"
	OptionSinkParallelism = "sink.parallelism"
)

// DistKind is how rows travel over an edge between two operators.
type DistKind uint8

const (
	DistForward   DistKind = iota // subtask i to subtask i (same parallelism): chained
	DistHash                      // by key group of Keys
	DistRebalance                 // round-robin over the consumer's subtasks
	DistBroadcast                 // every row to every subtask
	DistSingle                    // every row to one subtask (parallelism 1)
)

// Distribution is an input edge's distribution.
type Distribution struct {
	Kind DistKind
	Keys []int // DistHash: the columns of the producer's output hashed
}

// Text is the distribution as Flink's EXPLAIN prints it, with key names
// from the producer's schema: hash[campaign_id], single, broadcast.
func (d Distribution) Text(in Schema) string {
	switch d.Kind {
	case DistHash:
		return "hash[" + colNames(in, d.Keys) + "]"
	case DistRebalance:
		return "rebalance"
	case DistBroadcast:
		return "broadcast"
	case DistSingle:
		return "single"
	}
	return "forward"
}

// exchanged reports whether EXPLAIN shows the edge as an Exchange node.
func (d Distribution) exchanged() bool {
	return d.Kind == DistHash || d.Kind == DistSingle || d.Kind == DistBroadcast
}

// distribute is the rule that sets Node.Parallelism and Node.InputDists
// for every node of g and g's parallelism settings.
func distribute(g *Graph, settings []Setting) error {
	p, err := intSetting(g.Settings, settings, SettingParallelism, DefaultParallelism)
	if err != nil {
		return err
	}
	maxP, err := intSetting(g.Settings, settings, SettingMaxParallelism, DefaultMaxParallelism)
	if err != nil {
		return err
	}
	if maxP > maxMaxParallelism {
		return errAt(settingPos(settings, SettingMaxParallelism), "SET '%s' = '%d': at most %d", SettingMaxParallelism, maxP, maxMaxParallelism)
	}
	if p > maxP {
		return errAt(settingPos(settings, SettingParallelism), "SET '%s' = '%d': must not exceed 'pipeline.max-parallelism' (%d)", SettingParallelism, p, maxP)
	}
	g.Parallelism, g.MaxParallelism = p, maxP
	for _, n := range g.Nodes {
		if err := distributeNode(n, p, maxP); err != nil {
			return err
		}
	}
	return nil
}

// distributeNode decides one node; its inputs are decided already.
func distributeNode(n *Node, p, maxP int) error {
	n.InputDists = make([]Distribution, len(n.Inputs))
	keyed := func(i int, keys []int) {
		if len(keys) == 0 {
			n.InputDists[i] = Distribution{Kind: DistSingle}
			return
		}
		n.InputDists[i] = Distribution{Kind: DistHash, Keys: keys}
	}
	switch op := n.Op.(type) {
	case *SourceOp:
		q, err := tableParallelism(op.Table, OptionScanParallelism, p, maxP)
		if err != nil {
			return err
		}
		n.Parallelism = q
	case *WindowAggOp:
		keys := op.GroupKeys
		if len(op.Window.PartitionKeys) > 0 {
			keys = op.Window.PartitionKeys
		}
		n.Parallelism = p
		if len(keys) == 0 {
			n.Parallelism = 1
		}
		keyed(0, keys)
	case *OverAggOp:
		n.Parallelism = p
		if len(op.PartitionKeys) == 0 {
			n.Parallelism = 1
		}
		keyed(0, op.PartitionKeys)
	case *ChangelogNormalizeOp:
		n.Parallelism = p
		if len(op.Keys) == 0 {
			n.Parallelism = 1
		}
		keyed(0, op.Keys)
	case *GroupAggOp:
		n.Parallelism = p
		if len(op.GroupKeys) == 0 {
			n.Parallelism = 1
		}
		keyed(0, op.GroupKeys)
	case *RankOp:
		n.Parallelism = p
		if len(op.PartitionKeys) == 0 {
			n.Parallelism = 1
		}
		keyed(0, op.PartitionKeys)
	case *WindowJoinOp, *JoinOp, *IntervalJoinOp, *TemporalJoinOp:
		lk, rk, _ := EquiJoinKeys(op)
		n.Parallelism = p
		if len(lk) == 0 {
			n.Parallelism = 1
		}
		keyed(0, lk)
		keyed(1, rk)
	case *SinkOp:
		in := n.Inputs[0].Parallelism
		q := in
		if _, set := op.Table.Option(OptionSinkParallelism); set {
			var err error
			if q, err = tableParallelism(op.Table, OptionSinkParallelism, in, maxP); err != nil {
				return err
			}
		}
		n.Parallelism = q
		n.InputDists[0] = forwardOr(in, q)
		if up := n.Inputs[0]; !up.AppendOnly && q != in {
			// a changelog keeps each key's changes in order only on
			// one path: hash by the upsert key rather than rebalance
			keyed(0, up.UpsertKeys)
			if len(up.UpsertKeys) == 0 {
				n.Parallelism = 1
			}
		}
	default: // Calc, Union, WindowTableFunction, SideOutput: stateless, chained
		q := 0
		for _, in := range n.Inputs {
			q = max(q, in.Parallelism)
		}
		n.Parallelism = q
		for i, in := range n.Inputs {
			n.InputDists[i] = forwardOr(in.Parallelism, q)
		}
	}
	return nil
}

// forwardOr is forward between equal parallelisms, rebalance otherwise.
func forwardOr(from, to int) Distribution {
	if from == to {
		return Distribution{Kind: DistForward}
	}
	return Distribution{Kind: DistRebalance}
}

// intSetting reads a positive integer SET option (def when not SET).
func intSetting(m map[string]string, settings []Setting, key string, def int) (int, error) {
	s, ok := m[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, errAt(settingPos(settings, key), "SET '%s' = '%s': want a positive integer", key, s)
	}
	return n, nil
}

// settingPos is the position of the last SET of key.
func settingPos(settings []Setting, key string) sql.Pos {
	var pos sql.Pos
	for _, s := range settings {
		if s.Key == key && !s.Reset {
			pos = s.Pos
		}
	}
	return pos
}

// tableParallelism reads a table's 'scan.parallelism' or
// 'sink.parallelism' (def when absent).
func tableParallelism(t *TableDesc, key string, def, maxP int) (int, error) {
	for _, o := range t.Options {
		if o.Key != key {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(o.Value))
		if err != nil || n < 1 {
			return 0, errAt(o.ValuePos, "table %s: '%s' = '%s': want a positive integer", t.Name, key, o.Value)
		}
		if n > maxP {
			return 0, errAt(o.ValuePos, "table %s: '%s' = '%d': must not exceed 'pipeline.max-parallelism' (%d)", t.Name, key, n, maxP)
		}
		return n, nil
	}
	return def, nil
}
