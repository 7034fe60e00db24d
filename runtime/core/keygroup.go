package core

import (
	"fmt"

	"github.com/streamsql/streamsql/sql/types"
)

// Key groups: how keyed rows and keyed state are spread over the subtasks
// of an operator, exactly as Flink's KeyGroupRangeAssignment does it.
//
// A key's hash (KeyHash) is scrambled with Flink's murmurHash of an int;
// its key group is that modulo the max parallelism (the number of key
// groups, 'pipeline.max-parallelism'); at parallelism p subtask i owns
// the contiguous key groups [ceil(i*maxP/p), floor(((i+1)*maxP-1)/p)],
// so key group g goes to subtask g*p/maxP. State is addressed by key
// group, so a job restored at another parallelism hands whole key groups
// to the new subtasks (rescaling).
//
// The key's hash is ours, not Java's hashCode: the 32-bit FNV-1a of the
// key values' types.AppendKey bytes (kind class and payload: INT and
// BIGINT 1 hash alike, strings by their bytes, NULL as one fixed byte).
// It depends on nothing but the values, so it is the same on every run
// and platform, which state addressed by key group requires.

// DefaultMaxParallelism is 'pipeline.max-parallelism' when not SET.
const DefaultMaxParallelism = 128

// MaxMaxParallelism is the largest max parallelism (Flink's
// Transformation.UPPER_BOUND_MAX_PARALLELISM, 2^15).
const MaxMaxParallelism = 1 << 15

// MurmurHash is Flink's MathUtils.murmurHash(int): Murmur3-32 (seed 0)
// of the int's four bytes, made non-negative.
func MurmurHash(code int32) int32 {
	c := uint32(code)
	c *= 0xcc9e2d51
	c = c<<15 | c>>17
	c *= 0x1b873593
	c = c<<13 | c>>19
	c = c*5 + 0xe6546b64
	c ^= 4
	c ^= c >> 16
	c *= 0x85ebca6b
	c ^= c >> 13
	c *= 0xc2b2ae35
	c ^= c >> 16
	h := int32(c)
	switch {
	case h >= 0:
		return h
	case h != -1<<31:
		return -h
	}
	return 0
}

// KeyGroupForHash is Flink's computeKeyGroupForKeyHash: the key group of
// a key whose hash is keyHash.
func KeyGroupForHash(keyHash int32, maxParallelism int) int {
	return int(MurmurHash(keyHash)) % maxParallelism
}

// OperatorIndexForKeyGroup is Flink's computeOperatorIndexForKeyGroup:
// the subtask (of parallelism p) that owns key group kg.
func OperatorIndexForKeyGroup(maxParallelism, p, kg int) int {
	return kg * p / maxParallelism
}

// KeyGroupRange is a contiguous, inclusive range of key groups; empty
// when End < Start.
type KeyGroupRange struct{ Start, End int }

// Contains reports whether kg is in the range.
func (r KeyGroupRange) Contains(kg int) bool { return kg >= r.Start && kg <= r.End }

func (r KeyGroupRange) String() string { return fmt.Sprintf("[%d, %d]", r.Start, r.End) }

// KeyGroupRangeFor is Flink's computeKeyGroupRangeForOperatorIndex: the
// key groups subtask i of p owns.
func KeyGroupRangeFor(maxParallelism, p, i int) KeyGroupRange {
	return KeyGroupRange{
		Start: (i*maxParallelism + p - 1) / p,
		End:   ((i+1)*maxParallelism - 1) / p,
	}
}

// CheckParallelism validates a parallelism against a max parallelism.
func CheckParallelism(p, maxParallelism int) error {
	if maxParallelism < 1 || maxParallelism > MaxMaxParallelism {
		return fmt.Errorf("max parallelism %d: must be between 1 and %d", maxParallelism, MaxMaxParallelism)
	}
	if p < 1 || p > maxParallelism {
		return fmt.Errorf("parallelism %d: must be between 1 and the max parallelism %d", p, maxParallelism)
	}
	return nil
}

// KeyHash is the stable hash of a key already encoded with
// types.AppendKey (see the comment at the top of this file).
func KeyHash(encoded []byte) int32 {
	h := uint32(2166136261) // FNV-1a, 32 bits
	for _, b := range encoded {
		h ^= uint32(b)
		h *= 16777619
	}
	return int32(h)
}

// RowKeyHash hashes the values of row at cols (buf is scratch space; the
// grown buffer is returned for reuse).
func RowKeyHash(row Row, cols []int, buf []byte) (int32, []byte) {
	buf = buf[:0]
	for _, c := range cols {
		buf = types.AppendKey(buf, row[c])
	}
	return KeyHash(buf), buf
}
