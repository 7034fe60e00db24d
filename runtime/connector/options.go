package connector

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/config"
)

// CommonOptions are accepted on every table whatever its connector.
var CommonOptions = []OptionSpec{
	{Key: "connector", Required: true, Doc: "The connector's name."},
	{Key: "scan.watermark.idle-timeout", Type: OptDuration, Doc: "A split without data for this long is idle and left out of the source's watermark (overrides `table.exec.source.idle-timeout`)."},
	{Key: "scan.parallelism", Type: OptInt, Doc: "The parallelism of the table's source (default: `parallelism.default`): a live Kafka table runs as this many subtasks, each reading its share of the partitions; a bounded source is read by one reader so that a replay is deterministic (docs/semantics.md, Parallelism)."},
	{Key: "sink.parallelism", Type: OptInt, Doc: "The parallelism of the table's sink (default: its input's); rows are rebalanced when it differs."},
	{Key: "dead-letter.table", Doc: "streamsql extension: records that fail to decode are written to this declared table (columns matched by name: raw, error, location, topic, partition, offset, line) and counted in records_skipped, instead of stopping the job or being dropped (docs/operations.md)."},
}

// ---------------------------------------------------------------- durations

// ParseDuration reads a duration as Flink writes them: a number followed
// by an optional unit, with or without a space: '500 ms', '10 s', '1 min',
// '2h', '1 d'; a bare number is milliseconds (config.Duration).
func ParseDuration(s string) (time.Duration, error) { return config.Duration(s) }

// ParseMemory reads a memory size as Flink writes them: '512', '64 kb',
// '1mb', '2 gb'; a bare number is bytes (config.Memory).
func ParseMemory(s string) (int64, error) { return config.Memory(s) }

// ---------------------------------------------------------------- secrets

// IsSecret reports whether an option's value must never be printed, by
// the same rule as EXPLAIN's masking (planner.IsSecretOption: keys that
// contain "password", "secret", "jaas", "sasl" or "keystore.key").
func IsSecret(key string) bool { return planner.IsSecretOption(key) }

// ShowValue returns the value as it may appear in messages: "****" for
// secrets.
func ShowValue(key, value string) string {
	if IsSecret(key) {
		return "****"
	}
	return value
}

// ---------------------------------------------------------------- validation

// matchKey reports whether key matches a spec key, whose "*" stands for
// one or more characters (a field name, a property name).
func matchKey(spec, key string) bool {
	star := strings.IndexByte(spec, '*')
	if star < 0 {
		return spec == key
	}
	pre, post := spec[:star], spec[star+1:]
	return len(key) > len(pre)+len(post) && strings.HasPrefix(key, pre) && strings.HasSuffix(key, post)
}

// findSpec returns the spec of key among specs, or nil.
func findSpec(specs []OptionSpec, key string) *OptionSpec {
	for i := range specs {
		if matchKey(specs[i].Key, key) {
			return &specs[i]
		}
	}
	return nil
}

// ValidateWith checks t's WITH options against the connector spec, the
// common options and, when the connector has a format, that format's
// options (keys "<format>.<key>"). formats resolves a format name.
// Errors carry the position of what is wrong: an unknown key at the key,
// a bad value at the value, a missing required option at the table.
func ValidateWith(spec *Spec, t *planner.TableDesc, formats func(string) (*FormatSpec, error)) error {
	all := make([]OptionSpec, 0, len(spec.Options)+len(CommonOptions)+8)
	all = append(all, CommonOptions...)
	all = append(all, spec.Options...)
	if spec.HasFormat {
		if v, ok := t.Option("format"); ok {
			f, err := formats(v)
			if err != nil {
				o := optionOf(t, "format")
				return sql.Errorf(o.ValuePos, "%v", err)
			}
			for _, fo := range f.Options {
				fo.Key = f.Name + "." + fo.Key
				all = append(all, fo)
			}
		}
	}
	seen := map[string]bool{}
	for _, o := range t.Options {
		if seen[o.Key] {
			return sql.Errorf(o.Pos, "option '%s' is given twice", o.Key)
		}
		seen[o.Key] = true
		os := findSpec(all, o.Key)
		if os == nil {
			return sql.Errorf(o.Pos, "%s", unknownOption(o.Key, spec.Name, all))
		}
		if err := CheckValue(os, o.Key, o.Value); err != nil {
			return sql.Errorf(o.ValuePos, "%v", err)
		}
	}
	for _, os := range all {
		if os.Required && !strings.Contains(os.Key, "*") && !seen[os.Key] {
			return sql.Errorf(t.Pos, "table '%s': connector '%s' needs option '%s'", t.Name, spec.Name, os.Key)
		}
	}
	if spec.Check != nil {
		return spec.Check(t)
	}
	return nil
}

func optionOf(t *planner.TableDesc, key string) sql.Option {
	for _, o := range t.Options {
		if o.Key == key {
			return o
		}
	}
	return sql.Option{Pos: t.Pos, ValuePos: t.Pos, Key: key}
}

func unknownOption(key, connector string, all []OptionSpec) string {
	keys := make([]string, 0, len(all))
	for _, o := range all {
		keys = append(keys, o.Key)
	}
	msg := fmt.Sprintf("unsupported option '%s' for connector '%s'", key, connector) + DidYouMean(key, keys)
	sort.Strings(keys)
	return msg + "; supported options: " + strings.Join(keys, ", ")
}

// CheckValue checks one value against its spec. The error names the key
// and, unless the option is secret, the value.
func CheckValue(os *OptionSpec, key, value string) error {
	show := value
	if os.Secret || IsSecret(key) {
		show = "****"
	}
	bad := func(what string) error {
		return fmt.Errorf("option '%s': invalid value '%s': %s", key, show, what)
	}
	switch os.Type {
	case OptBool:
		if _, err := ParseBool(value); err != nil {
			return bad("expected true or false")
		}
	case OptInt:
		if _, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err != nil {
			return bad("expected an integer")
		}
	case OptFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad("expected a number")
		}
	case OptDuration:
		if _, err := ParseDuration(value); err != nil {
			return fmt.Errorf("option '%s': %v", key, err)
		}
	case OptMemory:
		if _, err := ParseMemory(value); err != nil {
			return fmt.Errorf("option '%s': %v", key, err)
		}
	case OptEnum:
		for _, e := range os.Enum {
			if strings.EqualFold(e, strings.TrimSpace(value)) {
				return nil
			}
		}
		return bad("expected one of " + strings.Join(os.Enum, ", "))
	}
	return nil
}

// ParseBool reads true/false case-insensitively (Flink's rule).
func ParseBool(s string) (bool, error) { return config.Bool(s) }

// ---------------------------------------------------------------- typed getters

// Each getter reads one option of t, returning def when it is absent and
// an error at the value's position when it is malformed (Validate has
// normally caught that already).

// OptionString returns the option's value or def.
func OptionString(t *planner.TableDesc, key, def string) string {
	if v, ok := t.Option(key); ok {
		return v
	}
	return def
}

// OptionBool returns a boolean option or def.
func OptionBool(t *planner.TableDesc, key string, def bool) (bool, error) {
	v, ok := t.Option(key)
	if !ok {
		return def, nil
	}
	b, err := ParseBool(v)
	if err != nil {
		return false, sql.Errorf(optionOf(t, key).ValuePos, "option '%s': %v", key, err)
	}
	return b, nil
}

// OptionInt returns an integer option or def.
func OptionInt(t *planner.TableDesc, key string, def int64) (int64, error) {
	v, ok := t.Option(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, sql.Errorf(optionOf(t, key).ValuePos, "option '%s': invalid value '%s': expected an integer", key, ShowValue(key, v))
	}
	return n, nil
}

// OptionFloat returns a numeric option or def.
func OptionFloat(t *planner.TableDesc, key string, def float64) (float64, error) {
	v, ok := t.Option(key)
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, sql.Errorf(optionOf(t, key).ValuePos, "option '%s': invalid value '%s': expected a number", key, ShowValue(key, v))
	}
	return f, nil
}

// OptionDuration returns a duration option or def.
func OptionDuration(t *planner.TableDesc, key string, def time.Duration) (time.Duration, error) {
	v, ok := t.Option(key)
	if !ok {
		return def, nil
	}
	d, err := ParseDuration(v)
	if err != nil {
		return 0, sql.Errorf(optionOf(t, key).ValuePos, "option '%s': %v", key, err)
	}
	return d, nil
}

// OptionError makes an error at the value of option key (at the table
// when the option is absent).
func OptionError(t *planner.TableDesc, key, format string, args ...any) error {
	return sql.Errorf(optionOf(t, key).ValuePos, format, args...)
}

// ---------------------------------------------------------------- suggestions

// Suggest returns the candidate closest to s by edit distance when it is
// close enough to be a likely typo, or "". Family keys ("fields.*.kind")
// are compared with their "*" standing for the matching part of s.
func Suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	limit := planner.SuggestLimit(s)
	for _, c := range candidates {
		cc := c
		if star := strings.IndexByte(c, '*'); star >= 0 {
			// Fill the star with the middle of s when the prefix or suffix matches.
			pre, post := c[:star], c[star+1:]
			switch {
			case strings.HasPrefix(s, pre) && len(s) > len(pre):
				rest := s[len(pre):]
				if dot := strings.LastIndexByte(rest, '.'); dot > 0 && post != "" {
					cc = pre + rest[:dot] + post
				} else {
					cc = pre + rest
				}
			default:
				continue
			}
		}
		d := planner.EditDistanceWithin(s, cc, limit)
		if d < bestD {
			best, bestD = cc, d
		}
	}
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

// DidYouMean is " (did you mean 'x'?)" with Suggest's choice, or "".
func DidYouMean(s string, candidates []string) string {
	if c := Suggest(s, candidates); c != "" {
		return " (did you mean '" + c + "'?)"
	}
	return ""
}
