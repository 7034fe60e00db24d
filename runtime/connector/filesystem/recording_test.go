package filesystem

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql"
)

func TestRecordingSource(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.rec")
	write(t, path, "p=1 off=7 ts=100 key=\"k\" {\"id\": 1}\n\np=0 ts=200 {\"id\": 2}\np=1 {\"id\": 3}\n")
	d := desc(path)
	d.Options = append(d.Options, sql.Option{Key: "source.recording", Value: "true"})
	r, err := Spec.NewSource(context.Background(), d, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Poll(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Started) != 2 || !p.Done || len(p.Records) != 3 {
		t.Fatalf("poll: started %v done %v records %d; want both partitions, done, 3", p.Started, p.Done, len(p.Records))
	}
	// file order kept; split = partition; offsets continue after recorded ones
	want := []struct {
		split      int
		off, ts    int64
		value      string
		key, where string
	}{
		{1, 7, 100, `{"id": 1}`, "k", path + ":1"},
		{0, 0, 200, `{"id": 2}`, "", path + ":3"},
		{1, 8, 0, `{"id": 3}`, "", path + ":4"},
	}
	for i, w := range want {
		g := p.Records[i]
		if g.Split != w.split || int(g.Partition) != w.split || g.Offset != w.off || g.Timestamp != w.ts ||
			string(g.Value) != w.value || string(g.Key) != w.key || g.Where != w.where {
			t.Errorf("record %d: %+v, want %+v", i, g, w)
		}
	}

	write(t, path, "p=0 {}\np=x {}\n")
	if _, err := Spec.NewSource(context.Background(), d, nil); err == nil || !strings.Contains(err.Error(), path+":2") {
		t.Errorf("bad line: error %v should name %s:2", err, path)
	}
}
