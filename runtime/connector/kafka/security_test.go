package kafka

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql"
)

// 'properties.ssl.endpoint.identification.algorithm' accepts 'https' in any
// case and the empty string (host name not checked); anything else used to mean 'https'
// silently and is now an error listing the two.
func TestEndpointIdentification(t *testing.T) {
	for _, c := range []struct {
		value    string
		set      bool
		skipHost bool
		err      string
	}{
		{set: false, skipHost: false},
		{value: "https", set: true, skipHost: false},
		{value: "HTTPS", set: true, skipHost: false},
		{value: " ", set: true, skipHost: true},
		{value: "", set: true, skipHost: true},
		{value: "http", set: true, err: "option 'properties.ssl.endpoint.identification.algorithm': invalid value 'http': expected 'https' (check the broker's host name) or '' (do not)"},
		{value: "none", set: true, err: "invalid value 'none'"},
	} {
		td := &planner.TableDesc{Name: "k"}
		if c.set {
			td.Options = []sql.Option{{Key: "properties.ssl.endpoint.identification.algorithm", Value: c.value}}
		}
		cfg, err := tlsConfig(td)
		_, perr := parseSecurity(td)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: tlsConfig error %v, want %q", c.value, err, c.err)
			}
			if perr == nil || !strings.Contains(perr.Error(), c.err) {
				t.Errorf("%q: parseSecurity error %v, want %q", c.value, perr, c.err)
			}
			continue
		}
		if err != nil || perr != nil {
			t.Fatalf("%q: %v / %v", c.value, err, perr)
		}
		if cfg.InsecureSkipVerify != c.skipHost || (cfg.VerifyPeerCertificate != nil) != c.skipHost {
			t.Errorf("%q: skips the host name check = %v, want %v", c.value, cfg.InsecureSkipVerify, c.skipHost)
		}
	}
}
