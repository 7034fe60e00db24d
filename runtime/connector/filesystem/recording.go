package filesystem

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/recording"
)

// OpenRecording opens the recordings named by the table's 'path'
// ('source.recording' = 'true'): files of runtime/recording lines, as
// `streamsql record` writes them. They are read whole when the job
// starts (recordings are test-sized); a line that does not parse is an
// error naming its file and line. Partition N is split N.
func OpenRecording(t *planner.TableDesc) (*recording.Reader, error) {
	files, err := tableFiles(t)
	if err != nil {
		return nil, err
	}
	var recs []recording.Located
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("filesystem source: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<30)
		line := 0
		for sc.Scan() {
			line++
			l := strings.TrimRight(sc.Text(), "\r")
			if strings.TrimSpace(l) == "" {
				continue
			}
			where := name + ":" + strconv.Itoa(line)
			r, err := recording.ParseLine(l)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("filesystem source: %s: %w", where, err)
			}
			recs = append(recs, recording.Located{Record: r, Where: where})
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("filesystem source: %s: %w", name, err)
		}
	}
	return recording.NewReader(recs, ""), nil
}
