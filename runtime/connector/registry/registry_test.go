package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// table builds a TableDesc whose option i sits on line 10+i, key at
// column 3 and value at column 20.
func table(conn string, kv ...string) *planner.TableDesc {
	t := &planner.TableDesc{Name: "t", Pos: sql.Pos{File: "q.sql", Line: 1, Col: 1}, Connector: conn,
		Columns: planner.Schema{{Name: "id", Type: types.TBigInt}, {Name: "name", Type: types.TString}},
		Kinds:   []sql.ColumnKind{sql.PhysicalColumn, sql.PhysicalColumn}}
	t.Options = append(t.Options, sql.Option{Key: "connector", Value: conn, Pos: sql.Pos{File: "q.sql", Line: 9, Col: 3}, ValuePos: sql.Pos{File: "q.sql", Line: 9, Col: 20}})
	for i := 0; i < len(kv); i += 2 {
		line := 10 + i/2
		t.Options = append(t.Options, sql.Option{Key: kv[i], Value: kv[i+1], Pos: sql.Pos{File: "q.sql", Line: line, Col: 3}, ValuePos: sql.Pos{File: "q.sql", Line: line, Col: 20}})
	}
	return t
}

func validate(t *testing.T, td *planner.TableDesc) error {
	t.Helper()
	spec, err := connector.Lookup(td.Connector)
	if err != nil {
		t.Fatal(err)
	}
	return connector.Validate(spec, td)
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		td   *planner.TableDesc
		want []string // substrings; empty: no error
	}{
		{"ok", table("filesystem", "path", "/x", "format", "json", "json.ignore-parse-errors", "true"), nil},
		{"unknown with suggestion", table("filesystem", "path", "/x", "format", "json", "source.monitor-intervl", "1 s"),
			[]string{"q.sql:12:3: unsupported option 'source.monitor-intervl' for connector 'filesystem'", "did you mean 'source.monitor-interval'?", "supported options: ", "json.fail-on-missing-field", "path"}},
		{"unknown format option", table("filesystem", "path", "/x", "format", "json", "json.ignore-parse-error", "true"),
			[]string{"q.sql:12:3:", "did you mean 'json.ignore-parse-errors'?"}},
		{"missing path", table("filesystem", "format", "json"), []string{"q.sql:1:1:", "needs option 'path'"}},
		{"bad duration", table("filesystem", "path", "/x", "format", "json", "source.monitor-interval", "10 parsecs"),
			[]string{"q.sql:12:20:", "source.monitor-interval", "unknown unit 'parsecs'"}},
		{"bad bool", table("filesystem", "path", "/x", "format", "json", "json.ignore-parse-errors", "yes"), []string{"q.sql:12:20:", "expected true or false"}},
		{"bad enum", table("filesystem", "path", "/x", "format", "json", "json.timestamp-format.standard", "RFC"), []string{"q.sql:12:20:", "SQL, ISO-8601"}},
		{"unknown format", table("filesystem", "path", "/x", "format", "jsn"), []string{"q.sql:11:20:", "unknown format 'jsn'", "did you mean 'json'?"}},
		{"bad number", table("datagen", "rows-per-second", "fast"), []string{"q.sql:10:20:", "expected an integer"}},
		{"datagen field family ok", table("datagen", "fields.id.kind", "sequence", "fields.id.start", "1", "fields.id.end", "5"), nil},
		{"datagen field typo", table("datagen", "fields.id.knd", "sequence"), []string{"q.sql:10:3:", "did you mean 'fields.id.kind'?"}},
		{"datagen unknown column", table("datagen", "fields.nope.min", "1"), []string{"q.sql:10:3:", "no physical column 'nope'"}},
		{"print options", table("print", "print-identifier", "x", "standard-error", "false", "sink.parallelism", "1"), nil},
		{"idle timeout common", table("filesystem", "path", "/x", "format", "json", "scan.watermark.idle-timeout", "5 s"), nil},
		{"duplicate", table("blackhole", "connector", "blackhole"), []string{"given twice"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := validate(t, c.td)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("expected an error containing %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestSecretsNotPrinted(t *testing.T) {
	spec := &connector.Spec{Name: "k", Options: []connector.OptionSpec{{Key: "properties.sasl.jaas.config", Type: connector.OptBool}}}
	td := table("k", "properties.sasl.jaas.config", "hunter2-secret")
	err := connector.Validate(spec, td)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("secret value leaked or no error: %v", err)
	}
}

func TestLookupUnknown(t *testing.T) {
	_, err := connector.Lookup("filesytem")
	if err == nil || !strings.Contains(err.Error(), "did you mean 'filesystem'?") || !strings.Contains(err.Error(), "blackhole, datagen, filesystem, kafka, print") {
		t.Fatalf("got %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"500 ms", 500 * time.Millisecond}, {"500ms", 500 * time.Millisecond}, {"10 s", 10 * time.Second},
		{"1 min", time.Minute}, {"2h", 2 * time.Hour}, {"1 d", 24 * time.Hour}, {"250", 250 * time.Millisecond},
		{" 3 seconds ", 3 * time.Second}, {"5 MIN", 5 * time.Minute}, {"7 days", 7 * 24 * time.Hour}, {"100 us", 100 * time.Microsecond},
	}
	for _, c := range cases {
		got, err := connector.ParseDuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "ms", "1.5 s", "10 parsecs", "-1 s", "99999999999999999999 s", "9999999 d 1"} {
		if _, err := connector.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) should fail", bad)
		}
	}
}

func TestDecoderFromTable(t *testing.T) {
	td := table("filesystem", "path", "/x", "format", "json", "json.ignore-parse-errors", "true")
	d, err := NewDecoder(td, td.Columns)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]types.Value, 2)
	if err := d.Decode([]byte(`{"id":"x","name":"n"}`), row); err != nil || !row[0].IsNull() || row[1].S != "n" {
		t.Fatalf("ignore-parse-errors not applied: %v %v", row, err)
	}
	if _, err := NewEncoder(td, td.Columns); err != nil {
		t.Fatal(err)
	}
}

func TestMarkdown(t *testing.T) {
	md := Markdown()
	for _, w := range []string{"## Connector `filesystem`", "| `path` | yes |", "## Format `json`", "| `json.ignore-parse-errors` | no | false | boolean |", "`fields.*.kind`"} {
		if !strings.Contains(md, w) {
			t.Errorf("Markdown lacks %q", w)
		}
	}
}

// The planner knows the changelog formats by name (its changelog rule
// runs below the runtime): its list and the registered formats agree.
func TestChangelogFormatsKnownToThePlanner(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Changelog != planner.ChangelogFormats[f.Name] {
			t.Errorf("format '%s': Changelog is %v in its spec, %v in planner.ChangelogFormats", f.Name, f.Changelog, planner.ChangelogFormats[f.Name])
		}
		seen[f.Name] = true
	}
	for name := range planner.ChangelogFormats {
		if !seen[name] {
			t.Errorf("planner.ChangelogFormats lists '%s', which is not a registered format", name)
		}
	}
}
