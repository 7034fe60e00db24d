package planner

import (
	"os"
	"path/filepath"
	"strings"
)

// A filesystem sink creates or truncates its file when the job starts,
// before any source has read a record: a sink writing the file a source
// reads (or a file inside a directory a source reads, or a directory
// holding a file a source reads) would destroy the input and report
// success with no rows. checkPathOverlap refuses such a graph at plan
// time, naming both tables and both paths.

// fileConnector is the connector whose 'path' option names local files.
const fileConnector = "filesystem"

// tablePath is a filesystem table's 'path' as written and as compared.
type tablePath struct {
	table *TableDesc
	raw   string
	abs   []string // cleaned absolute path, plus its symlink-resolved form when different
}

func fileTablePath(t *TableDesc) (tablePath, bool) {
	if !strings.EqualFold(t.Connector, fileConnector) {
		return tablePath{}, false
	}
	raw, ok := t.Option("path")
	if !ok || strings.TrimSpace(raw) == "" {
		return tablePath{}, false
	}
	abs, err := filepath.Abs(raw)
	if err != nil {
		abs = filepath.Clean(raw)
	}
	tp := tablePath{table: t, raw: raw, abs: []string{abs}}
	if real, err := resolveSymlinks(abs); err == nil && real != abs {
		tp.abs = append(tp.abs, real)
	}
	return tp, true
}

// resolveSymlinks resolves the symbolic links of the longest existing
// prefix of p (a sink's file usually does not exist yet).
func resolveSymlinks(p string) (string, error) {
	rest := ""
	for {
		if _, err := os.Lstat(p); err == nil {
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return "", err
			}
			return filepath.Join(real, rest), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", os.ErrNotExist
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// within reports whether path p is dir itself or lies inside it.
func within(p, dir string) bool {
	if p == dir {
		return true
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// overlap describes how sink path s relates to source path r, or "".
func overlap(s, r tablePath) string {
	for _, sa := range s.abs {
		for _, ra := range r.abs {
			switch {
			case sa == ra:
				return "is the path"
			case within(sa, ra):
				return "is inside the directory"
			case within(ra, sa):
				return "contains the path"
			}
		}
	}
	return ""
}

// checkPathOverlap refuses a graph in which a filesystem sink (an INSERT
// target, a late-rows or dead-letter table) writes where a filesystem
// source reads.
func checkPathOverlap(g *Graph) error {
	if g == nil {
		return nil
	}
	var sources, sinks []tablePath
	seen := map[*TableDesc]bool{}
	for _, n := range g.Nodes {
		var t *TableDesc
		switch op := n.Op.(type) {
		case *SourceOp:
			t = op.Table
		case *SinkOp:
			t = op.Table
		default:
			continue
		}
		tp, ok := fileTablePath(t)
		if !ok {
			continue
		}
		if _, sink := n.Op.(*SinkOp); sink {
			sinks = append(sinks, tp)
		} else if !seen[t] {
			seen[t] = true
			sources = append(sources, tp)
		}
	}
	for _, s := range sinks {
		for _, r := range sources {
			if how := overlap(s, r); how != "" {
				return errAt(optionPos(s.table, "path"), "table %q is written by this job and its path %q %s %q that table %q reads: the sink would truncate the input before it is read; write to a path outside every source's path", s.table.Name, s.raw, how, r.raw, r.table.Name)
			}
		}
	}
	return nil
}
