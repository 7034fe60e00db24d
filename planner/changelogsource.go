package planner

import "strings"

// Changelog sources: a table whose records are changes rather than
// inserts, and the rule that normalizes an upsert source, as Flink's
// planner does (FlinkChangelogModeInferenceProgram,
// StreamPhysicalTableSourceScanRule, DynamicSourceUtils.isUpsertSource):
//
//   - an upsert source (connector 'upsert-kafka') produces [UA,D] by its
//     PRIMARY KEY: a record is the key's new row or, as a tombstone, its
//     deletion; neither carries the row it replaces. A ChangelogNormalize,
//     hashed by the primary key, follows it: it keeps each key's last row
//     and turns the upserts into a full changelog [I,UB,UA,D];
//   - a source in a changelog format ('debezium-json', 'canal-json')
//     produces [I,UB,UA,D] itself: every update carries its old row.

// SourceMode is the changelog mode a table produces when read.
type SourceMode uint8

const (
	InsertOnlySource SourceMode = iota // [I]
	UpsertSource                       // [UA,D] by the primary key
	ChangelogSource                    // [I,UB,UA,D]
)

// upsertConnectors are the connectors whose source is an upsert source.
var upsertConnectors = map[string]bool{"upsert-kafka": true}

// ChangelogFormats are the formats whose records are changes
// (runtime/connector's ChangelogDecoder); a test in the connector
// registry checks that this list and the formats agree.
var ChangelogFormats = map[string]bool{"debezium-json": true, "canal-json": true}

// SourceChangelog is the changelog mode of a source of t.
func SourceChangelog(t *TableDesc) SourceMode {
	if upsertConnectors[t.Connector] {
		return UpsertSource
	}
	if changelogFormat(t) {
		return ChangelogSource
	}
	return InsertOnlySource
}

// changelogFormat reports whether t's value format is a changelog format.
func changelogFormat(t *TableDesc) bool {
	for _, key := range []string{"format", "value.format"} {
		if f, ok := t.Option(key); ok && ChangelogFormats[strings.TrimSpace(f)] {
			return true
		}
	}
	return false
}

// primaryKeyColumns are the indices in t.Columns of t's PRIMARY KEY.
func primaryKeyColumns(t *TableDesc) []int {
	var out []int
	for _, k := range t.PrimaryKey {
		if i := t.Columns.Index(k); i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// ChangelogNormalizeOp turns an upsert stream into a full changelog,
// Flink's ChangelogNormalize (ProcTimeDeduplicateKeepLastRowFunction on
// a changelog): by Keys it keeps the last row and emits +I for a new
// key, -U (the kept row) and +U for a changed row, nothing for an
// identical one, and -D with the kept row for a delete of a known key
// (nothing for an unknown key). Its output has its input's schema.
type ChangelogNormalizeOp struct {
	Keys []int // the primary key's columns in the input
}

func (*ChangelogNormalizeOp) opName() string { return "ChangelogNormalize" }

// normalizeUpsertSources puts a ChangelogNormalize after every upsert
// source of nodes (finish calls it once sources are pruned: the primary
// key is always read) and rewires the source's consumers to it.
func normalizeUpsertSources(nodes []*Node) {
	norm := map[*Node]*Node{}
	for _, n := range nodes {
		src, ok := n.Op.(*SourceOp)
		if !ok || SourceChangelog(src.Table) != UpsertSource {
			continue
		}
		var keys []int
		for _, k := range primaryKeyColumns(src.Table) {
			for i, r := range src.ReadColumns {
				if r == k {
					keys = append(keys, i)
					break
				}
			}
		}
		norm[n] = newNode(&ChangelogNormalizeOp{Keys: keys}, n.Schema, n.Rowtime, n)
	}
	if len(norm) == 0 {
		return
	}
	for _, n := range nodes {
		for i, in := range n.Inputs {
			if m, ok := norm[in]; ok && m != n {
				n.Inputs[i] = m
			}
		}
	}
}

// sourceChangelog is the changelog rule of a source node.
func sourceChangelog(n *Node, op *SourceOp) {
	switch SourceChangelog(op.Table) {
	case UpsertSource:
		n.AppendOnly, n.Upsert = false, true
		for _, k := range primaryKeyColumns(op.Table) {
			for i, r := range op.ReadColumns {
				if r == k {
					n.UpsertKeys = append(n.UpsertKeys, i)
					break
				}
			}
		}
	case ChangelogSource:
		n.AppendOnly = false
	}
}
