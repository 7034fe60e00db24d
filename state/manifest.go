package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// manifestVersion is the newest version this build writes. v1 (before
// incremental checkpoints): every operator's entries live in its own
// checkpoint. v2 adds Delta and Shared: an operator's state may be a
// chain of segments written by earlier checkpoints. v3 adds Merged
// segments (written by consolidation); a manifest is written as v3 only
// when it lists one, as v2 otherwise. All restore; an older build refuses
// a newer manifest by its version instead of misreading it.
const manifestVersion = 3

// versionFor is the version m is written as: the oldest that can
// describe it (v2 unless a segment is Merged).
func versionFor(m *Manifest) int {
	for i := range m.Operators {
		for _, seg := range m.Operators[i].Shared {
			if seg.Merged {
				return 3
			}
		}
	}
	return 2
}

// oldestManifestVersion is the oldest version this build reads.
const oldestManifestVersion = 1

// manifestMagic starts every manifest file: "streamsql-checkpoint v1
// crc32c=XXXXXXXX\n" followed by the JSON body the checksum covers.
const manifestMagic = "streamsql-checkpoint"

// Manifest describes one checkpoint. It is written last, after the state
// entries are synced, so its presence (with a valid checksum) is what
// makes a checkpoint complete.
type Manifest struct {
	Version  int
	ID       int64
	Time     time.Time
	Job      string // pipeline name, for messages
	Complete bool
	// Prepared is true for a checkpoint of an exactly-once job whose
	// state is durable but whose transaction (the commit point) has not
	// been confirmed yet: it is restored only when the transactional sink
	// says its transaction committed (MarkComplete turns it complete).
	Prepared bool `json:",omitempty"`
	// Savepoint is true for the final checkpoint taken when the job stops.
	Savepoint bool
	// Finished is true for the final checkpoint of a bounded job that ran
	// to its end: a later run starts afresh instead of restoring it.
	Finished bool
	// Bytes is the size of the state entries.
	Bytes int64
	// Operators has one entry per node of the job's graph (stateless ones
	// too: they carry watermarks and counters).
	Operators []OperatorState
	// MaxParallelism is the job's pipeline.max-parallelism (the number of
	// key groups) when some operator's state is split by key group.
	MaxParallelism int `json:",omitempty"`
	// NextSource is the executor's round-robin cursor over its active
	// sources when replaying bounded inputs (a replay resumes with the
	// same source, so it is deterministic).
	NextSource int
}

// OperatorState is one operator's part of a checkpoint.
type OperatorState struct {
	UID    string // stable id derived from the plan
	Name   string // "WindowAggregate #3", for messages
	Layout string // how its state entries are encoded; must match to restore
	// Computes says what its state computes, part by part ("group keys":
	// "[campaign_id]", "aggregates", "input filter", ...), in terms of
	// the source columns; must match to restore. Absent in manifests
	// written before it was recorded (then only Layout is compared).
	Computes map[string]string `json:",omitempty"`
	// Watermarks are the executor's input watermarks of the node (one per
	// input) and Watermark its current one.
	Watermarks []int64
	Watermark  int64
	Counters   Counters
	// Entries and Checksum cover the operator's state entries (sum of
	// per-entry CRC-64s); a mismatch on restore means damaged state.
	Entries  int64
	Checksum uint64
	// KeyGroups is true when the operator ran as several subtasks: each
	// state entry's key then starts with its key group (2 bytes, big
	// endian), or with 0xFFFF and the subtask's index for an entry of the
	// whole subtask, so a restore at another parallelism can hand each
	// subtask its key groups.
	KeyGroups bool `json:",omitempty"`
	// Delta is true when the entries this checkpoint wrote for the
	// operator (Entries, Checksum, Bytes) are changes against Shared:
	// each value starts with a byte, 0 for a put and 1 for a deletion.
	// False: they are the operator's whole state (then Shared is empty).
	Delta bool `json:",omitempty"`
	// Shared lists the segments of earlier checkpoints that the
	// operator's state is made of besides this checkpoint's own, oldest
	// first; the first is a full one. A retained checkpoint keeps the
	// segments it lists from being deleted (docs/checkpoints.md,
	// "Incremental checkpoints").
	Shared []Segment `json:",omitempty"`
	// Bytes is the size of the entries this checkpoint wrote for the
	// operator.
	Bytes int64 `json:",omitempty"`
	// Splits are a source's read positions (one per split it has seen).
	Splits []SplitPosition `json:",omitempty"`
	// Sink is a sink's progress token (what is durable in its output);
	// of its first subtask when it ran as several.
	Sink []byte `json:",omitempty"`
	// SinkSubtasks are the progress tokens of every subtask of a sink that
	// ran as several (index = subtask), nil otherwise.
	SinkSubtasks [][]byte `json:",omitempty"`
}

// SinkTokens are the progress tokens of a sink's subtasks (index =
// subtask; one entry when it ran as one).
func (op *OperatorState) SinkTokens() [][]byte {
	if len(op.SinkSubtasks) > 0 {
		return op.SinkSubtasks
	}
	if op.Sink == nil {
		return nil
	}
	return [][]byte{op.Sink}
}

// Segment is the part of an operator's state one checkpoint wrote: all
// of it (Delta false) or its changes against the segments before it.
type Segment struct {
	ID       int64 // the checkpoint that wrote it
	Entries  int64
	Checksum uint64
	Bytes    int64
	Delta    bool `json:",omitempty"`
	// Merged is true for a segment written by background consolidation
	// (docs/checkpoints.md, "Consolidation"): the whole state of the
	// chain ending with checkpoint ID, merged into one full segment.
	// Its entries live apart from that checkpoint's own (prefixMerged).
	Merged bool `json:",omitempty"`
}

// Chain is the operator's state in checkpoint id as segments, oldest
// first: the shared ones, then its own.
func (op *OperatorState) Chain(id int64) []Segment {
	c := make([]Segment, 0, len(op.Shared)+1)
	c = append(c, op.Shared...)
	return append(c, Segment{ID: id, Entries: op.Entries, Checksum: op.Checksum, Bytes: op.Bytes, Delta: op.Delta})
}

// HasEntries reports whether the operator has any state entry in the
// checkpoint, in its own segment or a shared one.
func (op *OperatorState) HasEntries() bool {
	if op.Entries > 0 {
		return true
	}
	for _, s := range op.Shared {
		if s.Entries > 0 {
			return true
		}
	}
	return false
}

// StateBytes is the size of the state the checkpoint restores: every
// operator's segments (Bytes for a v1 manifest, which has no segment
// sizes).
func (m *Manifest) StateBytes() int64 {
	var n int64
	for i := range m.Operators {
		for _, seg := range m.Operators[i].Chain(m.ID) {
			n += seg.Bytes
		}
	}
	if n == 0 {
		return m.Bytes
	}
	return n
}

// Counters are an operator's metrics, restored so that a resumed job's
// totals are those of one uninterrupted run.
type Counters struct {
	In, Out, Late, Skipped, Read int64
}

// SplitPosition is where a source split stands: for a file, the byte
// offset and line number after the last line included in the checkpoint;
// for a Kafka partition, the next offset to read.
type SplitPosition struct {
	Split  int
	Name   string `json:",omitempty"`
	Offset int64
	Line   int64 `json:",omitempty"`
	Done   bool  `json:",omitempty"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeManifest writes m to path atomically: a temporary file, synced,
// renamed into place, then the directory synced.
func writeManifest(path string, m *Manifest) error {
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("state: encoding manifest: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s v%d crc32c=%08x\n", manifestMagic, m.Version, crc32.Checksum(body, castagnoli))
	b.Write(body)
	b.WriteByte('\n')
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("state: writing manifest: %w", err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("state: writing manifest %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("state: syncing manifest %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("state: writing manifest %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("state: writing manifest: %w", err)
	}
	// The rename is durable only once the directory is synced: a checkpoint
	// is not complete before that.
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("state: syncing checkpoint directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("state: syncing checkpoint directory %s: %w", filepath.Dir(path), err)
	}
	return nil
}

// ErrDamaged is wrapped by errors about a checkpoint whose manifest or
// state entries do not verify.
var ErrDamaged = errors.New("checkpoint damaged")

// ReadManifest reads and verifies a manifest file.
func ReadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	head, body, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return nil, fmt.Errorf("checkpoint %s: %w: truncated manifest", path, ErrDamaged)
	}
	f := strings.Fields(string(head))
	if len(f) != 3 || f[0] != manifestMagic || !strings.HasPrefix(f[2], "crc32c=") {
		return nil, fmt.Errorf("checkpoint %s: %w: not a streamsql checkpoint manifest", path, ErrDamaged)
	}
	if v, err := strconv.Atoi(strings.TrimPrefix(f[1], "v")); err != nil || !strings.HasPrefix(f[1], "v") || v < oldestManifestVersion || v > manifestVersion {
		return nil, fmt.Errorf("checkpoint %s: manifest version %s is not supported (this build reads v%d to v%d; a newer streamsql wrote it?)", path, f[1], oldestManifestVersion, manifestVersion)
	}
	want, err := strconv.ParseUint(strings.TrimPrefix(f[2], "crc32c="), 16, 32)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w: bad checksum field", path, ErrDamaged)
	}
	body = bytes.TrimRight(body, "\n")
	if got := crc32.Checksum(body, castagnoli); uint64(got) != want {
		return nil, fmt.Errorf("checkpoint %s: %w: manifest checksum mismatch", path, ErrDamaged)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w: %v", path, ErrDamaged, err)
	}
	if !m.Complete && !m.Prepared {
		return nil, fmt.Errorf("checkpoint %s: %w: not complete", path, ErrDamaged)
	}
	return &m, nil
}

// Operator returns the state of the operator with uid, or nil.
func (m *Manifest) Operator(uid string) *OperatorState {
	for i := range m.Operators {
		if m.Operators[i].UID == uid {
			return &m.Operators[i]
		}
	}
	return nil
}
