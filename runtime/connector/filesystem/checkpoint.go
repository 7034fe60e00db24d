package filesystem

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/streamsql/streamsql/runtime/connector"
)

// Checkpoint support: the source resumes after the last line of a
// checkpoint (connector.Seeker: a byte offset and line number per file),
// and the sink continues a file truncated to its checkpointed length
// (connector.ProgressSink), so a restored job writes each row once.

var (
	_ connector.Seeker       = (*Source)(nil)
	_ connector.ProgressSink = (*Sink)(nil)
)

// Seek skips the files the positions mark done and resumes the first
// other one at its recorded offset. Files are matched by split number and
// checked by name: a directory whose files changed cannot be resumed.
func (s *Source) Seek(pos []connector.Position) error {
	if s.f != nil || s.cur >= 0 {
		return fmt.Errorf("filesystem source: Seek after the first Poll")
	}
	by := map[int]connector.Position{}
	for _, p := range pos {
		if p.Split < 0 || p.Split >= len(s.files) || s.files[p.Split] != p.Name {
			return fmt.Errorf("filesystem source: the checkpoint read %q as file %d, but the files are now %v", p.Name, p.Split, s.files)
		}
		by[p.Split] = p
	}
	next := 0
	for next < len(s.files) {
		p, ok := by[next]
		if !ok || !p.Done {
			break
		}
		next++
	}
	s.cur = next - 1
	if p, ok := by[next]; ok && next < len(s.files) {
		s.seek = &p
	}
	return nil
}

// resume positions a newly opened file at the pending Seek position.
func (s *Source) resume(f *os.File) error {
	p := s.seek
	if p == nil || p.Split != s.cur {
		return nil
	}
	s.seek = nil
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("filesystem source: %w", err)
	}
	if st.Size() < p.Offset {
		return fmt.Errorf("filesystem source: %s is %d bytes, shorter than the checkpoint's position %d: the file changed", p.Name, st.Size(), p.Offset)
	}
	if _, err := f.Seek(p.Offset, io.SeekStart); err != nil {
		return fmt.Errorf("filesystem source: %w", err)
	}
	s.r, s.w, s.scan, s.eof = 0, 0, 0, false // nothing was read before the seek
	s.off, s.line = p.Offset, int(p.Line)
	return nil
}

// sinkProgress is the filesystem sink's progress token.
type sinkProgress struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// Progress syncs the file and returns its path and length (call Flush first).
func (s *Sink) Progress() ([]byte, error) {
	if err := s.w.Flush(); err != nil {
		return nil, fmt.Errorf("filesystem sink %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return nil, fmt.Errorf("filesystem sink %s: %w", s.path, err)
	}
	st, err := s.f.Stat()
	if err != nil {
		return nil, fmt.Errorf("filesystem sink %s: %w", s.path, err)
	}
	return json.Marshal(sinkProgress{Path: s.path, Size: st.Size()})
}

// ResumeSink reopens the file a checkpoint's progress names, truncated to
// the recorded length, for appending.
func ResumeSink(token []byte, enc connector.Encoder) (*Sink, error) {
	var p sinkProgress
	if err := json.Unmarshal(token, &p); err != nil || p.Path == "" || p.Size < 0 {
		return nil, fmt.Errorf("filesystem sink: bad progress in the checkpoint: %q", token)
	}
	f, err := os.OpenFile(p.Path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("filesystem sink: resuming: %w", err)
	}
	st, err := f.Stat()
	if err == nil && st.Size() < p.Size {
		err = fmt.Errorf("%s is %d bytes, shorter than the %d the checkpoint recorded", p.Path, st.Size(), p.Size)
	}
	if err == nil {
		err = f.Truncate(p.Size)
	}
	if err == nil {
		_, err = f.Seek(p.Size, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("filesystem sink: resuming: %w", err)
	}
	return &Sink{path: p.Path, f: f, w: bufio.NewWriterSize(f, 1<<20), enc: enc}, nil
}
