package json

import (
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
)

// Spec is the json format's entry for the format registry.
var Spec = &connector.FormatSpec{
	Name: "json",
	Doc:  "One JSON object per record (per line in files). Fields match columns by name, case-sensitively; unknown fields are ignored.",
	Options: []connector.OptionSpec{
		{Key: "ignore-parse-errors", Default: "false", Type: connector.OptBool,
			Doc: "Skip records that are not valid JSON objects (counted in records_skipped) and read fields that cannot be converted as NULL, instead of failing the job."},
		{Key: "fail-on-missing-field", Default: "false", Type: connector.OptBool,
			Doc: "Fail when a field is missing instead of reading NULL. Cannot be combined with ignore-parse-errors."},
		{Key: "timestamp-format.standard", Default: "SQL", Type: connector.OptEnum, Enum: []string{"SQL", "ISO-8601"},
			Doc: "How timestamps are written: 'SQL' gives '2026-05-28 20:28:50.5', 'ISO-8601' gives '2026-05-28T20:28:50.5'. Reading accepts both."},
		{Key: "map-null-key.mode", Default: "FAIL", Type: connector.OptEnum, Enum: []string{"FAIL", "DROP", "LITERAL"}, Ignored: true,
			Doc: "Accepted for compatibility; no effect."},
		{Key: "map-null-key.literal", Default: "null", Ignored: true, Doc: "Accepted for compatibility; no effect."},
		{Key: "encode.decimal-as-plain-number", Default: "false", Type: connector.OptBool, Ignored: true,
			Doc: "Accepted for compatibility; decimals are always written in plain notation."},
		{Key: "encode.ignore-null-fields", Default: "false", Type: connector.OptBool, Ignored: true,
			Doc: "Accepted for compatibility; no effect (NULL is written as null)."},
	},
	NewDecoder: func(cols planner.Schema, t *planner.TableDesc, prefix string) (connector.Decoder, error) {
		o, err := OptionsFrom(t, prefix)
		if err != nil {
			return nil, err
		}
		return NewDecoder(cols, o)
	},
	NewEncoder: func(cols planner.Schema, t *planner.TableDesc, prefix string) (connector.Encoder, error) {
		o, err := OptionsFrom(t, prefix)
		if err != nil {
			return nil, err
		}
		return NewEncoder(cols, o)
	},
}

// OptionsFrom reads the json options of t: keys prefix + "json." + name
// (prefix is "" for 'format', "value." or "key." for Kafka's key/value
// formats).
func OptionsFrom(t *planner.TableDesc, prefix string) (Options, error) {
	return OptionsAt(t, prefix+"json.")
}

// OptionsAt reads the json options whose keys start with p: "json.", or
// "debezium-json." for the formats that carry JSON rows.
func OptionsAt(t *planner.TableDesc, p string) (Options, error) {
	var o Options
	var err error
	if o.IgnoreParseErrors, err = connector.OptionBool(t, p+"ignore-parse-errors", false); err != nil {
		return o, err
	}
	if o.FailOnMissingField, err = connector.OptionBool(t, p+"fail-on-missing-field", false); err != nil {
		return o, err
	}
	switch v := connector.OptionString(t, p+"timestamp-format.standard", "SQL"); strings.ToUpper(strings.TrimSpace(v)) {
	case "SQL":
	case "ISO-8601":
		o.ISO8601 = true
	default:
		return o, connector.OptionError(t, p+"timestamp-format.standard", "option '%stimestamp-format.standard': invalid value '%s': expected SQL or ISO-8601", p, v)
	}
	if o.IgnoreParseErrors && o.FailOnMissingField {
		return o, connector.OptionError(t, p+"fail-on-missing-field", "'%sfail-on-missing-field' and '%signore-parse-errors' cannot both be true", p, p)
	}
	return o, nil
}
