// Package registry is the one list of connectors and formats. Adding a
// connector is one package with one Spec plus one line in All. Importing
// this package (the runtime does) also makes connector.Lookup and
// connector.Validate see the list.
package registry

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/connector/blackhole"
	"github.com/streamsql/streamsql/runtime/connector/datagen"
	"github.com/streamsql/streamsql/runtime/connector/filesystem"
	"github.com/streamsql/streamsql/runtime/connector/kafka"
	printconn "github.com/streamsql/streamsql/runtime/connector/print"
	"github.com/streamsql/streamsql/runtime/connector/upsertkafka"
	"github.com/streamsql/streamsql/runtime/format/canal"
	"github.com/streamsql/streamsql/runtime/format/debezium"
	"github.com/streamsql/streamsql/runtime/format/json"
)

// All names every connector.
func All() []*connector.Spec {
	return []*connector.Spec{
		filesystem.Spec,
		printconn.Spec,
		blackhole.Spec,
		datagen.Spec,
		kafka.Spec,
		upsertkafka.Spec,
	}
}

// Formats names every payload format.
func Formats() []*connector.FormatSpec {
	return []*connector.FormatSpec{
		json.Spec,
		debezium.Spec,
		canal.Spec,
	}
}

func init() { connector.Install(All, Formats) }

// NewDecoder builds the decoder of t's 'format' for cols (the physical
// columns the query reads).
func NewDecoder(t *planner.TableDesc, cols planner.Schema) (connector.Decoder, error) {
	f, err := tableFormat(t)
	if err != nil {
		return nil, err
	}
	return f.NewDecoder(cols, t, "")
}

// NewEncoder builds the encoder of t's 'format' writing cols in order.
func NewEncoder(t *planner.TableDesc, cols planner.Schema) (connector.Encoder, error) {
	f, err := tableFormat(t)
	if err != nil {
		return nil, err
	}
	return f.NewEncoder(cols, t, "")
}

func tableFormat(t *planner.TableDesc) (*connector.FormatSpec, error) {
	name, ok := t.Option("format")
	if !ok {
		return nil, fmt.Errorf("table '%s' has no 'format' option", t.Name)
	}
	f, err := connector.LookupFormat(name)
	if err != nil {
		return nil, connector.OptionError(t, "format", "%v", err)
	}
	return f, nil
}

// Markdown renders every connector's and format's options as tables, for
// docs/connectors.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("<!-- generated from the connector specs by registry.Markdown(); do not edit -->\n")
	specs := All()
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	for _, s := range specs {
		fmt.Fprintf(&b, "\n## Connector `%s`\n\n%s\n", s.Name, s.Doc)
		kinds := []string{}
		if s.NewSource != nil {
			kinds = append(kinds, "source")
		}
		if s.NewSink != nil {
			kinds = append(kinds, "sink")
		}
		fmt.Fprintf(&b, "\nUsed as: %s.\n\n", strings.Join(kinds, ", "))
		optionTable(&b, "", s.Options)
	}
	for _, f := range Formats() {
		fmt.Fprintf(&b, "\n## Format `%s`\n\n%s\n\n", f.Name, f.Doc)
		optionTable(&b, f.Name+".", f.Options)
	}
	b.WriteString("\n## Options of every table\n\n")
	optionTable(&b, "", connector.CommonOptions)
	return b.String()
}

func optionTable(b *strings.Builder, prefix string, opts []connector.OptionSpec) {
	if len(opts) == 0 {
		b.WriteString("No options.\n")
		return
	}
	b.WriteString("| Option | Required | Default | Type | Description |\n| --- | --- | --- | --- | --- |\n")
	for _, o := range opts {
		req := "no"
		if o.Required {
			req = "yes"
		}
		def := o.Default
		if def == "" {
			def = "(none)"
		}
		typ := o.Type.String()
		if o.Type == connector.OptEnum {
			typ = "one of " + strings.Join(o.Enum, ", ")
		}
		doc := o.Doc
		if o.Secret || connector.IsSecret(o.Key) {
			doc += " Secret: never printed."
		}
		fmt.Fprintf(b, "| `%s%s` | %s | %s | %s | %s |\n", prefix, o.Key, req, def, typ, strings.ReplaceAll(doc, "|", "\\|"))
	}
}
