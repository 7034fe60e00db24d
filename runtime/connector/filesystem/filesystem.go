package filesystem

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
)

// Spec is the filesystem connector.
var Spec = &connector.Spec{
	Name:      "filesystem",
	Doc:       "Reads JSON-lines files (bounded) and writes them. 'path' names a file or a directory.",
	HasFormat: true,
	Options: []connector.OptionSpec{
		{Key: "path", Required: true, Doc: "A file, or a directory whose files are read in name order (files starting with '.' or '_' are skipped). As a sink: the file to write (created or truncated); a path ending in '/' or naming an existing directory gets a part file inside it, `part-<uid>-<subtask>-0.json` as Flink names them. A sink running as several subtasks (parallelism above 1) always writes a directory, one part file per subtask, and refuses a path naming an existing file. A sink path equal to, inside or containing the path a source of the same job reads is refused when the job is planned (it would truncate the input before reading it)."},
		{Key: "format", Required: true, Doc: "The payload format: 'json'."},
		{Key: "source.monitor-interval", Type: connector.OptDuration, Ignored: true, Doc: "Accepted for compatibility; the source is always bounded."},
		{Key: "source.recording", Type: connector.OptBool, Default: "false", Doc: "streamsql extension: the files are recordings written by `streamsql record` (one record per line, `p=N off=N ts=MS key=\"...\" value`): each line's p= is its split (Kafka partition), ts= the `timestamp` metadata, off= the `offset` metadata, and records are replayed in file order with every partition active from the start, as the topic was read."},
		{Key: "sink.rolling-policy.file-size", Type: connector.OptMemory, Ignored: true, Doc: "Accepted for compatibility; one file is written."},
		{Key: "sink.rolling-policy.rollover-interval", Type: connector.OptDuration, Ignored: true, Doc: "Accepted for compatibility; one file is written."},
		{Key: "sink.rolling-policy.check-interval", Type: connector.OptDuration, Ignored: true, Doc: "Accepted for compatibility; no effect."},
	},
	Bounded: func(*planner.TableDesc) bool { return true },
	NewSource: func(_ context.Context, t *planner.TableDesc, _ *connector.Env) (connector.SourceReader, error) {
		if v, _ := t.Option("source.recording"); strings.EqualFold(v, "true") {
			return OpenRecording(t)
		}
		return OpenSource(t)
	},
	NewSink: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
		if env.Resume != nil {
			return ResumeSink(env.Resume, env.Encoder)
		}
		return OpenSink(t, env.Encoder, env)
	},
}

// ---------------------------------------------------------------- source

// chunkSize is how much is read from a file at a time.
const chunkSize = 1 << 20

// Source reads the files of a table one after another; file i is split i.
// Records point into the read buffer (no copy per line) and carry their
// position as File and Line (no text per line; Record.Location).
type Source struct {
	files []string
	cur   int // index of the open file
	f     *os.File
	eof   bool   // f is read to its end: chunk[r:w] is all that is left
	chunk []byte // read buffer; this poll's records point into it
	r, w  int    // chunk[r:w] is read from f but not yet handed out
	scan  int    // chunk[r:scan] holds no newline
	line  int
	recs  []connector.Record
	short string              // display name of the current file
	off   int64               // bytes of the current file consumed (checkpoint position)
	seek  *connector.Position // where to resume the next file opened (Seek)
}

// Files lists what a source path names: the file itself, or the visible
// regular files of a directory in name order.
func Files(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("filesystem source: %w", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("filesystem source: %w", err)
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || e.IsDir() {
			continue
		}
		out = append(out, filepath.Join(path, n))
	}
	sort.Strings(out)
	return out, nil
}

// OpenSource opens the files named by the table's 'path'.
func OpenSource(t *planner.TableDesc) (*Source, error) {
	files, err := tableFiles(t)
	if err != nil {
		return nil, err
	}
	return &Source{files: files, cur: -1}, nil
}

// tableFiles lists the files the table's 'path' names.
func tableFiles(t *planner.TableDesc) ([]string, error) {
	path, ok := t.Option("path")
	if !ok {
		return nil, fmt.Errorf("filesystem: option 'path' is required")
	}
	return Files(path)
}

// Poll returns up to max records (lines). Records' Value points into the
// read buffer, which the next Poll reuses. Each file is a split: it is
// reported in Ended once its last line has been handed out.
func (s *Source) Poll(ctx context.Context, max int) (connector.Poll, error) {
	var p connector.Poll
	if max <= 0 {
		max = 1024
	}
	s.recs = s.recs[:0]
	for lines := 0; len(s.recs) < max; lines++ {
		if lines&255 == 0 {
			if err := ctx.Err(); err != nil {
				return p, err
			}
		}
		if s.f == nil {
			if s.cur+1 >= len(s.files) {
				p.Done = true
				break
			}
			s.cur++
			f, err := os.Open(s.files[s.cur])
			if err != nil {
				return p, fmt.Errorf("filesystem source: %w", err)
			}
			s.f, s.line, s.off = f, 0, 0
			s.r, s.w, s.scan, s.eof = 0, 0, 0, false
			if s.chunk == nil {
				s.chunk = make([]byte, chunkSize)
			}
			if err := s.resume(f); err != nil {
				return p, err
			}
			s.short = s.files[s.cur]
			p.Started = append(p.Started, s.cur)
		}
		var line []byte
		if nl := bytes.IndexByte(s.chunk[s.scan:s.w], '\n'); nl >= 0 {
			end := s.scan + nl
			line = s.chunk[s.r:end]
			s.off += int64(end + 1 - s.r)
			s.r, s.scan = end+1, end+1
		} else if !s.eof {
			s.scan = s.w
			if len(s.recs) > 0 {
				break // refilling would move bytes this poll's records point at
			}
			if err := s.fill(); err != nil {
				return p, err
			}
			continue
		} else if s.r < s.w {
			line = s.chunk[s.r:s.w] // the last line has no newline
			s.off += int64(s.w - s.r)
			s.r, s.scan = s.w, s.w
		} else {
			s.f.Close()
			s.f = nil
			// The split ends after its records in this poll are processed.
			p.Ended = append(p.Ended, s.cur)
			p.Positions = append(p.Positions, connector.Position{Split: s.cur, Name: s.files[s.cur], Offset: s.off, Line: int64(s.line), Done: true})
			// End the poll at the file boundary: the next file's rows must
			// not be judged while this split still holds the watermark,
			// or results would depend on the batch size.
			break
		}
		s.line++
		for len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 || !(line[0] > ' ' && line[0] < 0x7f) && len(bytes.TrimSpace(line)) == 0 {
			continue // blank line
		}
		s.recs = append(s.recs, connector.Record{Split: s.cur, Value: line[:len(line):len(line)], File: s.short, Line: int64(s.line)})
	}
	p.Records = s.recs
	if s.f != nil {
		p.Positions = append(p.Positions, connector.Position{Split: s.cur, Name: s.files[s.cur], Offset: s.off, Line: int64(s.line)})
	}
	return p, nil
}

// fill moves the unread bytes to the front of the buffer (growing it when
// they fill it: a line longer than the buffer) and reads more.
func (s *Source) fill() error {
	n := copy(s.chunk, s.chunk[s.r:s.w])
	s.scan -= s.r
	s.r, s.w = 0, n
	if s.w == len(s.chunk) {
		s.chunk = append(s.chunk, make([]byte, len(s.chunk))...)
		s.chunk = s.chunk[:cap(s.chunk)]
	}
	m, err := s.f.Read(s.chunk[s.w:])
	s.w += m
	if err == io.EOF {
		s.eof = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("filesystem source: %s: %w", s.short, err)
	}
	return nil
}

// Close closes the open file.
func (s *Source) Close() error {
	if s.f != nil {
		err := s.f.Close()
		s.f = nil
		return err
	}
	return nil
}

// ---------------------------------------------------------------- sink

var (
	partCounter atomic.Int64
	partUIDs    sync.Map // *planner.TableDesc -> string: one uid for a sink's subtasks
)

// Sink writes one encoded record per line.
type Sink struct {
	path string
	f    *os.File
	w    *bufio.Writer
	enc  connector.Encoder
	buf  []byte
	rows int64
}

// SinkPath resolves the file subtask sub of a sink of n subtasks writes:
// path itself when the sink runs as one subtask and path is not a
// directory; else a part file inside the directory path, named as
// Flink's filesystem sink names them, part-<uid>-<subtask>-<count>
// (uid: one per sink and process). With several subtasks, path is
// always a directory (created when missing): each subtask writes a file
// of its own.
func SinkPath(t *planner.TableDesc, path string, sub, n int) (string, error) {
	dir := strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(os.PathSeparator))
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		dir = true
	}
	if !dir && n > 1 {
		if err == nil {
			return "", fmt.Errorf("filesystem sink: 'path' = '%s' is a file, but the sink runs as %d subtasks, each writing a file of its own: give a directory, or 'sink.parallelism' = '1'", path, n)
		}
		dir = true
	}
	if !dir {
		return path, nil
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return "", fmt.Errorf("filesystem sink: %w", err)
	}
	uid, _ := partUIDs.LoadOrStore(t, fmt.Sprintf("%d-%d", os.Getpid(), partCounter.Add(1)-1))
	return filepath.Join(path, fmt.Sprintf("part-%s-%d-0.json", uid, sub)), nil
}

// OpenSink creates (or truncates) the file of subtask env.Subtask of
// env.Subtasks (SinkPath); env may be nil (one subtask).
func OpenSink(t *planner.TableDesc, enc connector.Encoder, env *connector.Env) (*Sink, error) {
	path, ok := t.Option("path")
	if !ok {
		return nil, fmt.Errorf("filesystem: option 'path' is required")
	}
	if enc == nil {
		return nil, errors.New("filesystem sink: no encoder (the runtime builds it from 'format')")
	}
	sub, n := 0, 1
	if env != nil {
		sub, n = env.Subtask, env.Subtasks
	}
	file, err := SinkPath(t, path, sub, n)
	if err != nil {
		return nil, err
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("filesystem sink: %w", err)
	}
	return &Sink{path: file, f: f, w: bufio.NewWriterSize(f, 1<<20), enc: enc}, nil
}

// Path is the file being written.
func (s *Sink) Path() string { return s.path }

// Write encodes and buffers the batch's rows.
func (s *Sink) Write(_ context.Context, b *core.Batch) error {
	for _, row := range b.Rows {
		var err error
		s.buf, err = s.enc.Encode(s.buf[:0], row)
		if err != nil {
			return fmt.Errorf("filesystem sink %s: %w", s.path, err)
		}
		s.buf = append(s.buf, '\n')
		if _, err := s.w.Write(s.buf); err != nil {
			return fmt.Errorf("filesystem sink %s: %w", s.path, err)
		}
	}
	s.rows += int64(len(b.Rows))
	return nil
}

// Flush writes the buffer to the file.
func (s *Sink) Flush(context.Context) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("filesystem sink %s: %w", s.path, err)
	}
	return nil
}

// Close flushes and closes the file.
func (s *Sink) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if err != nil {
		return fmt.Errorf("filesystem sink %s: %w", s.path, err)
	}
	return nil
}
