package planner

import (
	"slices"
	"strings"

	"github.com/streamsql/streamsql/sql"
)

// Event-time temporal joins (Flink's TemporalJoin over a versioned
// table, its TemporalRowTimeJoinOperator):
//
//	SELECT ... FROM orders AS o
//	[LEFT] JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r
//	ON o.currency = r.currency
//
// The right side is a versioned table: a table with a PRIMARY KEY and an
// event-time attribute (an upsert-kafka table, a kafka table in a
// changelog format, any table declaring both), or a view keeping the
// last row per key by event time (Flink's versioned view: ROW_NUMBER()
// OVER (PARTITION BY k ORDER BY ts DESC) = 1). FOR SYSTEM_TIME AS OF
// names the left input's time attribute; ON must equate the versioned
// table's whole primary key with left columns (more conjuncts are a
// residual condition). Each left row joins the version of its key valid
// at its time; INNER and LEFT only, as in Flink. A processing-time
// temporal join and a lookup join (a table without an event-time
// attribute or without a primary key) are refused by name.

// TemporalJoinOp is an event-time temporal join. Left rows wait until
// the watermark passes their time, then each joins the right row of its
// key with the largest time at or before its own (a delete there: no
// version), padded with NULLs on a LEFT join when there is none or the
// residual condition fails. Output: left columns, right columns,
// insert-only, the left time attribute kept.
type TemporalJoinOp struct {
	JoinOp
	LeftTimeCol, RightTimeCol int
	// VersionKey is the versioned table's primary key (right input
	// columns) when it is a declared table; nil for a view, whose upsert
	// key the changelog rule takes.
	VersionKey []int
	// Table names the versioned table (for messages).
	Table string
}

func (*TemporalJoinOp) opName() string { return "TemporalJoin" }

// planTemporalJoin plans j, whose right side is FOR SYSTEM_TIME AS OF
// (rt), over the planned inputs.
func (p *planner) planTemporalJoin(j *sql.JoinRef, rt *sql.TableRef, l, r, comb *rel, xs []Expr) (*rel, error) {
	if j.Kind != sql.InnerJoin && j.Kind != sql.LeftJoin {
		return nil, errAt(j.Pos, "a temporal join (FOR SYSTEM_TIME AS OF) is an INNER or LEFT JOIN; a %s JOIN is not supported, as in Flink", j.Kind)
	}
	lc, err := l.resolve(rt.AsOf)
	if err != nil {
		return nil, errAt(rt.AsOf.Pos, "FOR SYSTEM_TIME AS OF names a column of the left input (the table joined to %s): %v", rt.Name, err)
	}
	if !l.node.Schema[lc.idx].Type.Rowtime {
		return nil, errAt(rt.AsOf.Pos, "FOR SYSTEM_TIME AS OF %s: the column is not the left input's event-time attribute (a column with a WATERMARK); a processing-time temporal join or a lookup join is not supported", asOfText(rt.AsOf))
	}
	if r.node.Rowtime < 0 || !r.node.Schema[r.node.Rowtime].Type.Rowtime {
		return nil, errAt(rt.Pos, "the versioned table %s of a temporal join has no event-time attribute: declare a WATERMARK for its time column (a processing-time temporal join or a lookup join against a table without one is not supported)", rt.Name)
	}
	op := &TemporalJoinOp{JoinOp: JoinOp{Type: joinTypeOf(j.Kind), Pos: j.Pos}, LeftTimeCol: lc.idx, RightTimeCol: r.node.Rowtime, Table: rt.Name}
	nl := len(l.node.Schema)
	residual := op.addKeys(xs, nl)
	if len(op.LeftKeys) == 0 {
		return nil, errAt(j.Pos, "a temporal join needs an equality between a left column and the versioned table %s's primary key in ON (ON o.currency = r.currency); a join on other conditions is not supported", rt.Name)
	}
	if t, ok := p.cat.tables[rt.Name]; ok {
		if len(t.PrimaryKey) == 0 {
			return nil, errAt(rt.Pos, "the versioned table %s of a temporal join has no PRIMARY KEY: declare one (PRIMARY KEY (k) NOT ENFORCED), or join a view keeping the last row per key (ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1); a lookup join is not supported", rt.Name)
		}
		for _, k := range t.PrimaryKey {
			c, err := r.resolve(&sql.Ident{Pos: rt.Pos, Name: k})
			if err != nil {
				return nil, errAt(rt.Pos, "the primary key column %s of %s: %v", k, rt.Name, err)
			}
			op.VersionKey = append(op.VersionKey, c.idx)
		}
	}
	op.Condition = conjunction(residual)
	out := joinOutput(op, op.Type, l, r, comb, xs)
	keepRowtime(out, op.LeftTimeCol) // Flink keeps the left's time attribute
	out.lg.Name = "LogicalCorrelate"
	out.lg.Attrs = append(out.lg.Attrs, "period=["+asOfText(rt.AsOf)+"]")
	return out, nil
}

func asOfText(id *sql.Ident) string {
	if id.Qualifier != "" {
		return id.Qualifier + "." + id.Name
	}
	return id.Name
}

// temporalJoinChangelog: the left input must be append-only (the join
// writes inserts only; Flink would forward the left's kinds); the right
// may be any changelog, its update-before rows ignored (Flink asks it for
// update-after rows only). The versioned table's primary key, declared or
// the view's upsert key, must lie within the join keys.
func temporalJoinChangelog(n *Node, op *TemporalJoinOp) error {
	if p := updateProducer(n.Inputs[0]); p != nil {
		return errAt(op.Pos, "TemporalJoin doesn't support consuming update and delete changes on its left input, which is produced by node %s (at %s); the left input of a temporal join must be append-only", describeNode(p), groupAggPos(p))
	}
	key := op.VersionKey
	if key == nil {
		key = n.Inputs[1].UpsertKeys
	}
	right := n.Inputs[1].Schema
	if len(key) == 0 {
		return errAt(op.Pos, "Temporal Table Join requires primary key in versioned table, but no primary key can be found: %s is a view without a unique key; keep the last row per key by event time (ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1) or join a table with a PRIMARY KEY", op.Table)
	}
	for _, k := range key {
		if !slices.Contains(op.RightKeys, k) {
			var conds []string
			for i := range op.LeftKeys {
				conds = append(conds, n.Inputs[0].Schema[op.LeftKeys[i]].Name+" = "+right[op.RightKeys[i]].Name)
			}
			return errAt(op.Pos, "Temporal table's primary key [%s] must be included in the equivalence condition of temporal join, but current temporal join condition is [%s]: a temporal join on other columns than the versioned table's whole primary key is not supported", colNames(right, key), strings.Join(conds, " AND "))
		}
	}
	n.AppendOnly = true
	return nil
}

// temporalJoinAttrs is the join as Flink's EXPLAIN prints it:
// TemporalJoin(joinType=[LeftOuterJoin], where=[AND(=(currency,
// currency0), __TEMPORAL_JOIN_CONDITION(order_time, update_time,
// __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(currency0),
// __TEMPORAL_JOIN_LEFT_KEY(currency), __TEMPORAL_JOIN_RIGHT_KEY(currency0)))],
// select=[...]).
func temporalJoinAttrs(n *Node, op *TemporalJoinOp) []string {
	names := schemaNames(n.Schema)
	nl := len(n.Inputs[0].Schema)
	conds := joinKeyConds(n, &op.JoinOp, names)
	if op.Condition != nil {
		conds = append(conds, ExprOver(names, op.Condition))
	}
	key := op.VersionKey
	if key == nil {
		key = n.Inputs[1].UpsertKeys
	}
	var pk, lk, rk []string
	for _, k := range key {
		pk = append(pk, names[nl+k])
	}
	for i := range op.LeftKeys {
		lk = append(lk, names[op.LeftKeys[i]])
		rk = append(rk, names[nl+op.RightKeys[i]])
	}
	conds = append(conds, "__TEMPORAL_JOIN_CONDITION("+names[op.LeftTimeCol]+", "+names[nl+op.RightTimeCol]+
		", __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY("+strings.Join(pk, ", ")+"), __TEMPORAL_JOIN_LEFT_KEY("+strings.Join(lk, ", ")+
		"), __TEMPORAL_JOIN_RIGHT_KEY("+strings.Join(rk, ", ")+"))")
	return []string{"joinType=[" + op.Type.String() + "]", "where=[" + andText(conds) + "]", "select=[" + strings.Join(names, ", ") + "]"}
}
