// Package connector defines how tables are read and written.
//
// A connector is one package with one Spec: its name, its WITH options
// (OptionSpec, with type, default, docs and secrecy) and its
// constructors. The Spec is the single source for validation
// (ValidateWith: unknown keys get a did-you-mean at the key's position,
// bad values an error at the value, missing required options an error at
// the table), for docs (registry.Markdown) and for construction.
//
// Payloads go through a format (FormatSpec, e.g. json): the runtime
// builds a Decoder for the physical columns the query reads and decodes
// each Record.Value into a row; a Decode error wrapping ErrSkipRecord
// means skip and count, any other stops the job with Record.Where.
// Sources that make rows themselves (datagen) fill Record.Row instead.
//
// Records may point into a buffer the reader reuses: they are valid until
// the next Poll (see Record).
//
// The list of connectors lives in the registry subpackage (connector
// packages import this one, so the list cannot live here); it installs
// itself so Lookup and Validate here see it.
package connector
