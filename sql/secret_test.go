package sql

import (
	"strings"
	"testing"
)

// An unterminated string in a WITH clause must not echo the rest of the
// line, which is often a password.
func TestUnterminatedStringDoesNotEchoSecret(t *testing.T) {
	src := "CREATE TABLE t (a INT) WITH ('connector' = 'kafka', 'properties.sasl.password' = 'hunter2-very-secret);\n"
	_, err := Parse("t.sql", []byte(src))
	if err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(err.Error(), "unterminated string literal") {
		t.Errorf("error %q should say what is wrong", err)
	}
	if strings.Contains(err.Error(), "very-secret") {
		t.Errorf("error %q echoes the secret", err)
	}
}
