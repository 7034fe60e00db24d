package planner

import (
	"strings"

	"github.com/streamsql/streamsql/sql"
)

// Changelog inference: one rule over the finished graph, in topological
// order, sets every node's changelog mode (Node.AppendOnly: [I] or
// [I,UB,UA,D]) and upsert keys (Node.UpsertKeys), and refuses a node
// that cannot take the changes its input produces, as Flink's
// FlinkChangelogModeInferenceProgram does:
//
//   - a source reading an upsert or changelog table produces updates
//     (changelogsource.go: an upsert source [UA,D] by its primary key,
//     followed by a ChangelogNormalize producing every kind);
//   - a source, a window aggregation, window TVF, window join, an OVER
//     aggregation and a side output produce inserts only; the window and
//     OVER operators, like Flink's, accept inserts only;
//   - a GroupAggregate produces every kind and its upsert key is its
//     group key; it accepts any input (retractions included);
//   - a Rank (Top-N) accepts any input (RetractStrategy when it is
//     updating) and produces every kind; its upsert key is the partition
//     key plus the row number, or the partition key alone for a Top-1
//     (rankEnd = 1); a Deduplicate keeping the last row
//     produces every kind, keyed by the partition key; keeping the first
//     row, and the window ranks, produce inserts only and accept inserts
//     only (rank.go);
//   - a Calc and a Union forward their inputs' kinds; a Calc keeps the
//     upsert key when it projects every key column unchanged;
//   - a sink whose connector writes inserts only refuses updating input,
//     naming the operator that produces the updates and what would work.
//
// We always produce update-before rows (Flink's BEFORE_AND_AFTER): the
// print sink and the SQL client show them; the upsert-kafka sink writes
// them as tombstones, as Flink's (a HAVING over an aggregation may end a
// key with a -U).

// updatingSinks are the connectors that accept a changelog (print shows
// each row's kind; blackhole discards everything; upsert-kafka writes
// upserts and tombstones by its primary key).
var updatingSinks = map[string]bool{"print": true, "blackhole": true, "upsert-kafka": true}

// updatingSink reports whether a sink of t takes a changelog: one of
// updatingSinks, or 'kafka' in a changelog format (debezium-json).
func updatingSink(t *TableDesc) bool {
	return updatingSinks[t.Connector] || t.Connector == "kafka" && changelogFormat(t)
}

// inferChangelog is the rule; it runs after finish, before distribute.
func inferChangelog(g *Graph) error {
	for _, n := range g.Nodes {
		n.AppendOnly, n.UpsertKeys, n.Upsert = true, nil, false
		switch op := n.Op.(type) {
		case *SourceOp:
			sourceChangelog(n, op)
		case *ChangelogNormalizeOp:
			n.AppendOnly = false
			n.UpsertKeys = append([]int(nil), op.Keys...)
		case *GroupAggOp:
			n.AppendOnly = false
			op.InsertOnlyInput = n.Inputs[0].AppendOnly
			for i := range op.GroupKeys {
				n.UpsertKeys = append(n.UpsertKeys, i)
			}
		case *RankOp:
			if err := rankChangelog(n, op); err != nil {
				return err
			}
		case *JoinOp:
			joinChangelog(n, op)
		case *IntervalJoinOp:
			if err := intervalJoinChangelog(n); err != nil {
				return err
			}
		case *TemporalJoinOp:
			if err := temporalJoinChangelog(n, op); err != nil {
				return err
			}
		case *CalcOp:
			in := n.Inputs[0]
			n.AppendOnly = in.AppendOnly
			n.UpsertKeys = projectKeys(op, in.UpsertKeys)
		case *ExpandOp:
			n.AppendOnly = n.Inputs[0].AppendOnly // forwards its input's kinds
		case *UnionOp:
			for _, in := range n.Inputs {
				n.AppendOnly = n.AppendOnly && in.AppendOnly
			}
		case *OverAggOp:
			if p := updateProducer(n.Inputs[0]); p != nil {
				return errAt(groupAggPos(p), "OverAggregate doesn't support consuming update and delete changes which is produced by node %s; an OVER aggregation reads an append-only input", describeNode(p))
			}
		case *WindowAggOp, *WindowTVFOp, *WindowJoinOp:
			for _, in := range n.Inputs {
				if p := updateProducer(in); p != nil {
					op := n.Name()
					return errAt(groupAggPos(p), "%s doesn't support consuming update and delete changes which is produced by node %s; a window operator reads an append-only input: aggregate over a window in the inner query (GROUP BY window_start, window_end, ...) instead of a plain GROUP BY", op, describeNode(p))
				}
			}
		case *SinkOp:
			in := n.Inputs[0]
			n.AppendOnly = in.AppendOnly
			if p := updateProducer(in); p != nil && !updatingSink(op.Table) {
				return errAt(op.Pos, "Table sink '%s' (connector '%s') doesn't support consuming update changes which is produced by node %s (at %s); write the result to a sink that takes a changelog ('upsert-kafka' with a PRIMARY KEY, 'kafka' with 'format' = 'debezium-json', 'print', or 'blackhole'), or aggregate over a window (FROM TABLE(TUMBLE(...)) ... GROUP BY window_start, window_end, ...), whose result is append-only", op.Table.Name, op.Table.Connector, describeNode(p), groupAggPos(p))
			}
		}
	}
	return nil
}

// updateProducer finds, below an updating node, the operator that
// produces the updates (the first GroupAggregate on the way down), or
// nil when n is insert-only.
func updateProducer(n *Node) *Node {
	if n.AppendOnly {
		return nil
	}
	switch op := n.Op.(type) {
	case *GroupAggOp:
		return n
	case *JoinOp:
		if op.Type != JoinInner && op.Type != JoinSemi {
			return n // an outer or anti join retracts rows it emitted
		}
	}
	for _, in := range n.Inputs {
		if p := updateProducer(in); p != nil {
			return p
		}
	}
	return n
}

// groupAggPos is where the producing aggregation (or rank) is written.
func groupAggPos(n *Node) sql.Pos {
	switch op := n.Op.(type) {
	case *GroupAggOp:
		return op.Pos
	case *RankOp:
		return op.Pos
	case *JoinOp:
		return op.Pos
	case *SourceOp:
		return op.Table.Pos
	case *IntervalJoinOp:
		return op.Pos
	case *TemporalJoinOp:
		return op.Pos
	}
	return sql.Pos{}
}

// rankChangelog is the changelog rule of a RankOp, as Flink's
// FlinkChangelogModeInferenceProgram and FlinkRelMdUniqueKeys decide it.
func rankChangelog(n *Node, op *RankOp) error {
	in := n.Inputs[0]
	if op.Window != nil || op.Dedup != NoDedup {
		if p := updateProducer(in); p != nil {
			return errAt(op.Pos, "%s doesn't support consuming update and delete changes which is produced by node %s (at %s); a deduplication or window rank reads an append-only input", n.Name(), describeNode(p), groupAggPos(p))
		}
	}
	op.Retract = false
	switch {
	case op.Window != nil || op.Dedup == KeepFirst:
		n.AppendOnly = true
	case op.Dedup == KeepLast:
		n.AppendOnly = false
		n.UpsertKeys = append([]int(nil), op.PartitionKeys...)
	default:
		n.AppendOnly = false
		op.Retract = !in.AppendOnly
		switch {
		case op.OutputRankNumber:
			n.UpsertKeys = append(append([]int(nil), op.PartitionKeys...), len(n.Schema)-1)
		case op.RankEnd == 1:
			n.UpsertKeys = append([]int(nil), op.PartitionKeys...)
		default:
			n.UpsertKeys = append([]int(nil), in.UpsertKeys...)
		}
	}
	if len(n.UpsertKeys) == 0 {
		n.UpsertKeys = nil
	}
	return nil
}

// describeNode is a node as EXPLAIN prints it, without its schema:
// GroupAggregate(groupBy=[k], select=[k, COUNT(*) AS n]).
func describeNode(n *Node) string {
	return n.Name() + "(" + strings.Join(nodeAttrs(n), ", ") + ")"
}

// projectKeys maps an input's upsert keys through a Calc: the output
// columns that are the key columns unchanged, nil if one is projected
// away.
func projectKeys(op *CalcOp, keys []int) []int {
	if len(keys) == 0 {
		return nil
	}
	out := make([]int, 0, len(keys))
	for _, k := range keys {
		found := -1
		for i, e := range op.Projections {
			if r, ok := e.(*ColRef); ok && r.Index == k {
				found = i
				break
			}
		}
		if found < 0 {
			return nil
		}
		out = append(out, found)
	}
	return out
}
