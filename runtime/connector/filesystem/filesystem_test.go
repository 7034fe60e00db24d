package filesystem

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/format/json"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

func desc(path string) *planner.TableDesc {
	return &planner.TableDesc{Name: "t", Options: []sql.Option{{Key: "path", Value: path}, {Key: "format", Value: "json"}},
		Columns: planner.Schema{{Name: "id", Type: types.TBigInt}}}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSourceDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b.json"), "{\"id\":3}\n\n{\"id\":4}") // no final newline
	write(t, filepath.Join(dir, "a.json"), "{\"id\":1}\r\n   \n{\"id\":2}\n")
	write(t, filepath.Join(dir, "_SUCCESS"), "x\n")
	write(t, filepath.Join(dir, ".hidden"), "x\n")
	write(t, filepath.Join(dir, "c.json"), "")
	src, err := OpenSource(desc(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []string
	var ended []int
	done := false
	for polls := 0; !done && polls < 100; polls++ {
		p, err := src.Poll(context.Background(), 1) // one record per poll: splits cross polls
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			got = append(got, string(r.Value)+"@"+strings.TrimPrefix(r.Location(), dir+"/")+"#"+string(rune('0'+r.Split)))
		}
		ended = append(ended, p.Ended...)
		done = p.Done
	}
	want := []string{`{"id":1}@a.json:1#0`, `{"id":2}@a.json:3#0`, `{"id":3}@b.json:1#1`, `{"id":4}@b.json:3#1`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	if len(ended) != 3 || ended[0] != 0 || ended[1] != 1 || ended[2] != 2 {
		t.Fatalf("ended splits %v, want [0 1 2]", ended)
	}
}

func TestSourceLargePoll(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		b.WriteString(`{"id":1}` + "\n")
	}
	write(t, filepath.Join(dir, "x.json"), b.String())
	src, _ := OpenSource(desc(filepath.Join(dir, "x.json")))
	total := 0
	for {
		p, err := src.Poll(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Records) > 1000 {
			t.Fatalf("poll returned %d > max", len(p.Records))
		}
		for _, r := range p.Records {
			if string(r.Value) != `{"id":1}` {
				t.Fatalf("bad record %q", r.Value)
			}
		}
		total += len(p.Records)
		if p.Done {
			break
		}
	}
	if total != 5000 {
		t.Fatalf("read %d records, want 5000", total)
	}
}

func TestSink(t *testing.T) {
	dir := t.TempDir()
	enc, _ := json.NewEncoder(planner.Schema{{Name: "id", Type: types.TBigInt}}, json.Options{})
	rows := &core.Batch{Rows: []core.Row{{types.BigIntValue(1)}, {types.NullValue}}}
	for _, c := range []struct{ path, dir string }{
		{filepath.Join(dir, "out.json"), ""},
		{filepath.Join(dir, "sub") + "/", filepath.Join(dir, "sub")},
		{dir, dir}, // an existing directory
	} {
		file := c.path
		write(t, filepath.Join(dir, "out.json"), "old content that must go\n")
		s, err := OpenSink(desc(c.path), enc, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), rows); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if c.dir != "" {
			if filepath.Dir(s.Path()) != c.dir || !strings.HasPrefix(filepath.Base(s.Path()), "part-") {
				t.Fatalf("%s: part file %s", c.path, s.Path())
			}
			file = s.Path()
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != "{\"id\":1}\n{\"id\":null}\n" {
			t.Fatalf("%s: wrote %q", c.path, b)
		}
	}
}

// TestSourceChunkBoundaries reads lines that cross the 1 MiB read buffer
// and one longer than it, and checks every record (compared after its
// whole poll, since records point into the buffer until the next Poll),
// its line number and the checkpoint offset after each poll.
func TestSourceChunkBoundaries(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	var b strings.Builder
	for i := 0; b.Len() < 6*chunkSize; i++ {
		n := 1 + (i*7919)%3000
		if i == 1500 {
			n = chunkSize*5/2 + 3 // longer than the buffer
		}
		l := `{"id":` + strings.Repeat("7", n) + `}`
		lines = append(lines, l)
		b.WriteString(l + "\n")
	}
	path := filepath.Join(dir, "x.json")
	write(t, path, b.String())
	src, _ := OpenSource(desc(path))
	defer src.Close()
	next := 0
	offset := int64(0)
	for done := false; !done; {
		p, err := src.Poll(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			if next >= len(lines) || string(r.Value) != lines[next] {
				t.Fatalf("record %d (%s): wrong value of %d bytes", next, r.Location(), len(r.Value))
			}
			if r.Line != int64(next+1) || r.Location() != path+":"+strconv.Itoa(next+1) {
				t.Fatalf("record %d: at %s", next, r.Location())
			}
			offset += int64(len(lines[next]) + 1)
			next++
		}
		if p.Done && len(p.Records) == 0 {
			break
		}
		if len(p.Positions) != 1 || p.Positions[0].Offset != offset || p.Positions[0].Line != int64(next) {
			t.Fatalf("after %d records: positions %+v, want offset %d line %d", next, p.Positions, offset, next)
		}
		done = p.Done
	}
	if next != len(lines) {
		t.Fatalf("read %d records, want %d", next, len(lines))
	}
}
