package datagen

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Spec is the datagen connector.
var Spec = &connector.Spec{
	Name: "datagen",
	Doc:  "Generates rows from its `fields.*` options: random values, or sequences. Bounded when 'number-of-rows' is set.",
	Options: []connector.OptionSpec{
		{Key: "rows-per-second", Default: "10000", Type: connector.OptInt, Doc: "Rows generated per second (0: as fast as possible)."},
		{Key: "number-of-rows", Type: connector.OptInt, Doc: "Total rows to generate; the source is bounded when set."},
		{Key: "streamsql.seed", Type: connector.OptInt, Doc: "Seed for the random generators (streamsql extension): the same seed gives the same rows. Without it every run differs."},
		{Key: "fields.*.kind", Default: "random", Type: connector.OptEnum, Enum: []string{"random", "sequence"}, Doc: "Generator of the field."},
		{Key: "fields.*.min", Type: connector.OptFloat, Doc: "Minimum of a random number."},
		{Key: "fields.*.max", Type: connector.OptFloat, Doc: "Maximum of a random number."},
		{Key: "fields.*.length", Default: "100", Type: connector.OptInt, Doc: "Length of a random string."},
		{Key: "fields.*.start", Type: connector.OptInt, Doc: "First value of a sequence (required for kind 'sequence')."},
		{Key: "fields.*.end", Type: connector.OptInt, Doc: "Last value of a sequence (required for kind 'sequence'); the source ends after it."},
		{Key: "fields.*.null-rate", Default: "0", Type: connector.OptFloat, Doc: "Fraction of NULL values (0 to 1)."},
		{Key: "fields.*.max-past", Default: "0", Type: connector.OptDuration, Doc: "A random timestamp lies up to this far before the current time."},
	},
	Bounded: func(t *planner.TableDesc) bool {
		if _, ok := t.Option("number-of-rows"); ok {
			return true
		}
		for _, o := range t.Options {
			if strings.HasSuffix(o.Key, ".kind") && strings.EqualFold(o.Value, "sequence") {
				return true
			}
		}
		return false
	},
	Check: check,
	NewSource: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SourceReader, error) {
		var read []int
		if env != nil {
			read = env.ReadColumns
		}
		return NewSource(t, read)
	},
}

// check validates the per-field options against the table's columns.
func check(t *planner.TableDesc) error {
	for _, o := range t.Options {
		if !strings.HasPrefix(o.Key, "fields.") {
			continue
		}
		rest := o.Key[len("fields."):]
		dot := strings.LastIndexByte(rest, '.')
		name := rest[:dot]
		i := t.Columns.Index(name)
		if i < 0 || (t.Kinds != nil && t.Kinds[i] != sql.PhysicalColumn) {
			return sql.Errorf(o.Pos, "option '%s': table '%s' has no physical column '%s'", o.Key, t.Name, name)
		}
	}
	if _, err := rowsPerSecond(t); err != nil {
		return err
	}
	_, err := newGens(t, nil)
	return err
}

// rowsPerSecond reads 'rows-per-second': 0 means as fast as possible, a
// negative rate is an error (it used to mean unlimited, silently).
func rowsPerSecond(t *planner.TableDesc) (int64, error) {
	n, err := connector.OptionInt(t, "rows-per-second", 10000)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, connector.OptionError(t, "rows-per-second", "option 'rows-per-second' must not be negative, got %d (0 means as fast as possible)", n)
	}
	return n, nil
}

type gen struct {
	t        types.Type
	seq      bool
	next     int64 // sequence
	end      int64
	min, max float64
	length   int
	nullRate float64
	maxPast  time.Duration
	// wholeDec: a DECIMAL without 'min'/'max' draws its unscaled value
	// uniformly from -(10^p - 1) .. 10^p - 1 (the type's full range, like
	// Flink's datagen) rather than through a float64.
	wholeDec bool
}

func newGens(t *planner.TableDesc, read []int) ([]gen, error) {
	if read == nil {
		for i := range t.Columns {
			if t.Kinds == nil || t.Kinds[i] == sql.PhysicalColumn {
				read = append(read, i)
			}
		}
	}
	gens := make([]gen, len(read))
	for k, ci := range read {
		c := t.Columns[ci]
		g := &gens[k]
		g.t = c.Type
		p := "fields." + c.Name + "."
		kind := strings.ToLower(connector.OptionString(t, p+"kind", "random"))
		g.seq = kind == "sequence"
		var err error
		if g.seq {
			if !c.Type.Kind.IsInteger() && c.Type.Kind != types.String && c.Type.Kind != types.Decimal && c.Type.Kind != types.Double && c.Type.Kind != types.Float {
				return nil, connector.OptionError(t, p+"kind", "column %q: a sequence needs a numeric or string column, not %s", c.Name, c.Type)
			}
			_, hasS := t.Option(p + "start")
			_, hasE := t.Option(p + "end")
			if !hasS || !hasE {
				return nil, connector.OptionError(t, p+"kind", "column %q: kind 'sequence' needs '%sstart' and '%send'", c.Name, p, p)
			}
			if g.next, err = connector.OptionInt(t, p+"start", 0); err != nil {
				return nil, err
			}
			if g.end, err = connector.OptionInt(t, p+"end", 0); err != nil {
				return nil, err
			}
			if g.end < g.next {
				return nil, connector.OptionError(t, p+"end", "column %q: sequence end %d is before start %d", c.Name, g.end, g.next)
			}
		}
		defMin, defMax := defaultRange(c.Type)
		_, hasMin := t.Option(p + "min")
		_, hasMax := t.Option(p + "max")
		g.wholeDec = c.Type.Kind == types.Decimal && !hasMin && !hasMax
		if g.min, err = connector.OptionFloat(t, p+"min", defMin); err != nil {
			return nil, err
		}
		if g.max, err = connector.OptionFloat(t, p+"max", defMax); err != nil {
			return nil, err
		}
		if g.min > g.max {
			return nil, connector.OptionError(t, p+"max", "column %q: max %v is below min %v", c.Name, g.max, g.min)
		}
		if c.Type.Kind.IsInteger() {
			// Values outside the type would be emitted as they are (a
			// TINYINT of 575).
			for _, b := range []struct {
				key string
				v   float64
			}{{"min", g.min}, {"max", g.max}, {"start", float64(g.next)}, {"end", float64(g.end)}} {
				if b.v < defMin || b.v > defMax {
					return nil, connector.OptionError(t, p+b.key, "column %q: %s %v is outside the range of %s (%v to %v)", c.Name, b.key, b.v, c.Type, defMin, defMax)
				}
			}
		}
		n, err := connector.OptionInt(t, p+"length", 100)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, connector.OptionError(t, p+"length", "column %q: length must not be negative, got %d", c.Name, n)
		}
		if n > maxLength {
			return nil, connector.OptionError(t, p+"length", "option '%slength': column %q: length %d is above the limit of %d (1 MiB)", p, c.Name, n, maxLength)
		}
		g.length = int(n)
		if g.nullRate, err = connector.OptionFloat(t, p+"null-rate", 0); err != nil {
			return nil, err
		}
		if g.nullRate < 0 || g.nullRate > 1 {
			return nil, connector.OptionError(t, p+"null-rate", "column %q: null-rate must be between 0 and 1", c.Name)
		}
		if g.maxPast, err = connector.OptionDuration(t, p+"max-past", 0); err != nil {
			return nil, err
		}
	}
	return gens, nil
}

// maxLength caps 'fields.*.length': every row allocates that many bytes
// per field.
const maxLength = 1 << 20

func defaultRange(t types.Type) (float64, float64) {
	switch t.Kind {
	case types.TinyInt:
		return math.MinInt8, math.MaxInt8
	case types.SmallInt:
		return math.MinInt16, math.MaxInt16
	case types.Int:
		return math.MinInt32, math.MaxInt32
	case types.BigInt:
		return math.MinInt64, math.MaxInt64
	case types.Decimal:
		// the type's range: ±(10^(p-s) - 10^-s)
		lim := math.Pow10(t.Precision-t.Scale) - math.Pow10(-t.Scale)
		return -lim, lim
	}
	return 0, math.MaxFloat32
}

// Source generates rows, already decoded, in Record.Row.
type Source struct {
	gens    []gen
	rng     *rand.Rand
	left    int64 // rows still to make; -1 when unbounded
	perSec  int64
	start   time.Time
	made    int64
	now     func() time.Time
	records []connector.Record
}

// NewSource builds a generator for the columns read (indices into
// t.Columns; nil means every physical column).
func NewSource(t *planner.TableDesc, read []int) (*Source, error) {
	gens, err := newGens(t, read)
	if err != nil {
		return nil, err
	}
	s := &Source{gens: gens, left: -1, now: time.Now}
	if _, ok := t.Option("number-of-rows"); ok {
		if s.left, err = connector.OptionInt(t, "number-of-rows", 0); err != nil {
			return nil, err
		}
		if s.left < 0 {
			return nil, connector.OptionError(t, "number-of-rows", "option 'number-of-rows' must not be negative")
		}
	}
	if s.perSec, err = rowsPerSecond(t); err != nil {
		return nil, err
	}
	var seed uint64
	if _, ok := t.Option("streamsql.seed"); ok {
		n, err := connector.OptionInt(t, "streamsql.seed", 0)
		if err != nil {
			return nil, err
		}
		seed = uint64(n)
	} else {
		seed = uint64(time.Now().UnixNano())
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return s, nil
}

// Poll makes up to max rows, pacing them at rows-per-second.
func (s *Source) Poll(ctx context.Context, max int) (connector.Poll, error) {
	var p connector.Poll
	if s.start.IsZero() {
		s.start = s.now()
		p.Started = []int{0}
	}
	if max <= 0 {
		max = 1024
	}
	n := int64(max)
	if s.left >= 0 && n > s.left {
		n = s.left
	}
	if s.perSec > 0 {
		// rows allowed by now; wait (briefly) when ahead of schedule
		due := int64(s.now().Sub(s.start).Seconds()*float64(s.perSec)) + 1
		if due-s.made < n {
			n = max64(due-s.made, 0)
		}
		if n == 0 {
			wait := time.Duration(float64(time.Second) / float64(s.perSec))
			wait = min(wait, 50*time.Millisecond)
			select {
			case <-ctx.Done():
				return p, ctx.Err()
			case <-time.After(wait):
			}
			return p, nil
		}
	}
	s.records = s.records[:0]
	width := len(s.gens)
	slab := make([]types.Value, int(n)*width)
	for r := int64(0); r < n; r++ {
		row := slab[int(r)*width : int(r+1)*width : int(r+1)*width]
		ended := false
		for k := range s.gens {
			v, done := s.value(&s.gens[k])
			if done {
				ended = true
				break
			}
			row[k] = v
		}
		if ended {
			s.left = 0
			break
		}
		s.records = append(s.records, connector.Record{Row: row, Where: "datagen"})
		s.made++
		if s.left > 0 {
			s.left--
		}
	}
	p.Records = s.records
	if s.left == 0 {
		p.Ended = []int{0}
		p.Done = true
	}
	return p, nil
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// value makes the next value of one field; done reports an exhausted
// sequence.
func (s *Source) value(g *gen) (types.Value, bool) {
	if g.seq {
		if g.next > g.end {
			return types.NullValue, true
		}
		v := g.next
		g.next++
		switch {
		case g.t.Kind.IsInteger():
			return types.IntOf(g.t.Kind, v), false
		case g.t.Kind == types.String:
			return types.StringValue(fmt.Sprint(v)), false
		case g.t.Kind == types.Decimal:
			return types.BigDecimalValue(new(big.Int).Mul(big.NewInt(v), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(g.t.Scale)), nil)), g.t.Scale), false
		case g.t.Kind == types.Float:
			return types.FloatValue(float32(v)), false
		default:
			return types.DoubleValue(float64(v)), false
		}
	}
	if g.nullRate > 0 && s.rng.Float64() < g.nullRate {
		return types.NullValue, false
	}
	switch g.t.Kind {
	case types.Boolean:
		return types.BoolValue(s.rng.IntN(2) == 1), false
	case types.TinyInt, types.SmallInt, types.Int, types.BigInt:
		lo, hi := int64(math.Ceil(g.min)), int64(math.Floor(g.max))
		if g.max >= math.MaxInt64 {
			hi = math.MaxInt64
		}
		if g.min <= math.MinInt64 {
			lo = math.MinInt64
		}
		span := uint64(hi-lo) + 1 // 0 means the whole int64 range
		if span == 0 {
			return types.IntOf(g.t.Kind, int64(s.rng.Uint64())), false
		}
		return types.IntOf(g.t.Kind, lo+int64(s.rng.Uint64N(span))), false
	case types.Float:
		return types.FloatValue(float32(g.min + s.rng.Float64()*(g.max-g.min))), false
	case types.Double:
		return types.DoubleValue(g.min + s.rng.Float64()*(g.max-g.min)), false
	case types.Decimal:
		if g.wholeDec {
			return s.wholeDecimal(g.t), false
		}
		f := g.min + s.rng.Float64()*(g.max-g.min)
		lim := math.Pow10(g.t.Precision-g.t.Scale) - 1
		f = math.Max(-lim, math.Min(lim, f))
		unscaled := f * math.Pow10(g.t.Scale)
		if g.t.Precision <= 15 { // below 2^53: exact in a float64 and an int64
			return types.DecimalValue(int64(unscaled), g.t.Scale), false
		}
		// Wider decimals overflow an int64, and float rounding may pass
		// 10^p - 1: clamp to the precision.
		maxU := new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(g.t.Precision)), nil), big.NewInt(1))
		bi, _ := big.NewFloat(unscaled).Int(nil)
		if bi.CmpAbs(maxU) > 0 {
			bi.Set(maxU)
			if unscaled < 0 {
				bi.Neg(bi)
			}
		}
		if bi.IsInt64() {
			return types.DecimalValue(bi.Int64(), g.t.Scale), false
		}
		return types.BigDecimalValue(bi, g.t.Scale), false
	case types.String, types.Bytes:
		const letters = "0123456789abcdef"
		n := g.length
		if g.t.Kind == types.String && g.t.Precision > 0 && g.t.Precision < n {
			n = g.t.Precision
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[s.rng.IntN(len(letters))]
		}
		if g.t.Kind == types.Bytes {
			return types.BytesValue(b), false
		}
		return types.StringValue(string(b)), false
	case types.Timestamp, types.TimestampLTZ:
		ms := s.now().UnixMilli()
		if past := g.maxPast.Milliseconds(); past > 0 {
			ms -= s.rng.Int64N(past + 1)
		}
		return types.Value{K: g.t.Kind, I: ms}, false
	case types.Date:
		return types.DateValue(s.now().Unix() / 86400), false
	case types.Time:
		return types.Value{K: types.Time, I: s.now().UnixMilli() % 86400000}, false
	}
	return types.NullValue, false
}

// wholeDecimal draws an unscaled value uniformly from -(10^p - 1) ..
// 10^p - 1, the whole range of DECIMAL(p, s).
func (s *Source) wholeDecimal(t types.Type) types.Value {
	if t.Precision <= 18 { // 2*(10^18-1)+1 fits a uint64
		lim := int64(1)
		for range t.Precision {
			lim *= 10
		}
		lim--
		return types.DecimalValue(s.rng.Int64N(2*lim+1)-lim, t.Scale)
	}
	lim := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Precision)), nil)
	lim.Sub(lim, big.NewInt(1))
	span := new(big.Int).Lsh(lim, 1)
	span.Add(span, big.NewInt(1))
	// rejection sampling over uniform bits: at most half the draws miss
	bits := span.BitLen()
	buf := make([]byte, (bits+7)/8)
	v := new(big.Int)
	for {
		for i := range buf {
			buf[i] = byte(s.rng.Uint32())
		}
		v.SetBytes(buf)
		v.Rsh(v, uint(len(buf)*8-bits))
		if v.Cmp(span) < 0 {
			break
		}
	}
	v.Sub(v, lim)
	if v.IsInt64() {
		return types.DecimalValue(v.Int64(), t.Scale)
	}
	return types.BigDecimalValue(v, t.Scale)
}

// Close does nothing.
func (s *Source) Close() error { return nil }
