package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/xdg-go/scram"
)

// security is the parsed properties.security.protocol / sasl.* / ssl.*.
// The password is kept here only to hand it to sarama; no error or
// message ever includes it.
type security struct {
	protocol  string // PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
	mechanism string // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
	user      string
	password  string
}

func (s security) tls() bool  { return s.protocol == "SSL" || s.protocol == "SASL_SSL" }
func (s security) sasl() bool { return strings.HasPrefix(s.protocol, "SASL_") }

func parseSecurity(t *planner.TableDesc) (security, error) {
	var s security
	if _, err := checkHostName(t); err != nil {
		return s, err
	}
	s.protocol = strings.ToUpper(strings.TrimSpace(connector.OptionString(t, "properties.security.protocol", "PLAINTEXT")))
	s.mechanism = strings.ToUpper(strings.TrimSpace(connector.OptionString(t, "properties.sasl.mechanism", "PLAIN")))
	jaas, hasJaas := t.Option("properties.sasl.jaas.config")
	user, hasUser := t.Option("properties.sasl.username")
	pass, hasPass := t.Option("properties.sasl.password")
	if !s.sasl() {
		for _, k := range []string{"properties.sasl.jaas.config", "properties.sasl.username", "properties.sasl.password"} {
			if _, ok := t.Option(k); ok {
				return s, connector.OptionError(t, k, "option '%s' needs 'properties.security.protocol' = 'SASL_PLAINTEXT' or 'SASL_SSL'", k)
			}
		}
		return s, nil
	}
	switch {
	case hasJaas && (hasUser || hasPass):
		return s, connector.OptionError(t, "properties.sasl.username", "give the credentials either in 'properties.sasl.jaas.config' or in 'properties.sasl.username'/'properties.sasl.password', not both")
	case hasJaas:
		module, u, p, err := ParseJAAS(jaas)
		if err != nil {
			return s, connector.OptionError(t, "properties.sasl.jaas.config", "option 'properties.sasl.jaas.config': %v", err)
		}
		wantScram := strings.HasPrefix(s.mechanism, "SCRAM")
		if isScram := strings.HasSuffix(module, "ScramLoginModule"); isScram != wantScram {
			return s, connector.OptionError(t, "properties.sasl.jaas.config", "option 'properties.sasl.jaas.config': login module '%s' does not fit 'properties.sasl.mechanism' = '%s'", module, s.mechanism)
		}
		s.user, s.password = u, p
	case hasUser && hasPass:
		s.user, s.password = user, pass
	default:
		return s, connector.OptionError(t, "properties.security.protocol", "'properties.security.protocol' = '%s' needs credentials: 'properties.sasl.jaas.config', or 'properties.sasl.username' and 'properties.sasl.password'", s.protocol)
	}
	return s, nil
}

// ParseJAAS reads a Kafka client JAAS line:
//
//	org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
//
// returning the login module's class name and the credentials. Errors
// never repeat the text (it holds the password).
func ParseJAAS(s string) (module, user, password string, err error) {
	rest := strings.TrimSpace(s)
	rest = strings.TrimSuffix(rest, ";")
	sp := strings.IndexAny(rest, " \t\n")
	if sp < 0 {
		return "", "", "", fmt.Errorf("expected '<LoginModule class> required username=\"...\" password=\"...\";'")
	}
	module, rest = rest[:sp], strings.TrimSpace(rest[sp:])
	switch module {
	case "org.apache.kafka.common.security.plain.PlainLoginModule",
		"org.apache.kafka.common.security.scram.ScramLoginModule":
	default:
		if !strings.HasSuffix(module, "LoginModule") {
			return "", "", "", fmt.Errorf("expected a LoginModule class name first")
		}
		return "", "", "", fmt.Errorf("login module '%s' is not supported (PlainLoginModule, ScramLoginModule)", module)
	}
	flag, rest, _ := strings.Cut(rest, " ")
	switch strings.TrimSpace(flag) {
	case "required", "requisite", "sufficient", "optional":
	default:
		return "", "", "", fmt.Errorf("expected 'required' after the login module")
	}
	var hasUser, hasPass bool
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return "", "", "", fmt.Errorf("expected name=\"value\" pairs after '%s'", flag)
		}
		key := strings.TrimSpace(rest[:eq])
		rest = strings.TrimSpace(rest[eq+1:])
		var val string
		if strings.HasPrefix(rest, "\"") {
			end := -1
			var b strings.Builder
			for i := 1; i < len(rest); i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
					b.WriteByte(rest[i])
					continue
				}
				if rest[i] == '"' {
					end = i
					break
				}
				b.WriteByte(rest[i])
			}
			if end < 0 {
				return "", "", "", fmt.Errorf("the value of '%s' has no closing quote", key)
			}
			val, rest = b.String(), rest[end+1:]
		} else {
			sp := strings.IndexAny(rest, " \t\n")
			if sp < 0 {
				sp = len(rest)
			}
			val, rest = rest[:sp], rest[sp:]
		}
		switch key {
		case "username":
			user, hasUser = val, true
		case "password":
			password, hasPass = val, true
		}
	}
	if !hasUser || !hasPass {
		return "", "", "", fmt.Errorf("needs both username=\"...\" and password=\"...\"")
	}
	return module, user, password, nil
}

// checkHostName reads 'properties.ssl.endpoint.identification.algorithm':
// 'https' (any case, the default) checks the broker's host name, an empty
// value does not; anything else is an error rather than a silent 'https'.
func checkHostName(t *planner.TableDesc) (bool, error) {
	const key = "properties.ssl.endpoint.identification.algorithm"
	v := strings.TrimSpace(connector.OptionString(t, key, "https"))
	switch strings.ToLower(v) {
	case "https":
		return true, nil
	case "":
		return false, nil
	}
	return false, connector.OptionError(t, key, "option '%s': invalid value '%s': expected 'https' (check the broker's host name) or '' (do not)", key, v)
}

// apply sets sarama's TLS and SASL configuration.
func (s security) apply(sc *sarama.Config, t *planner.TableDesc) error {
	if s.tls() {
		cfg, err := tlsConfig(t)
		if err != nil {
			return err
		}
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = cfg
	}
	if s.sasl() {
		sc.Net.SASL.Enable = true
		sc.Net.SASL.Handshake = true
		sc.Net.SASL.User = s.user
		sc.Net.SASL.Password = s.password
		switch s.mechanism {
		case "PLAIN":
			sc.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		case "SCRAM-SHA-256":
			sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
			sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAM(scram.SHA256) }
		case "SCRAM-SHA-512":
			sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
			sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAM(scram.SHA512) }
		}
	}
	return nil
}

func tlsConfig(t *planner.TableDesc) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if path, ok := t.Option("properties.ssl.truststore.location"); ok {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, connector.OptionError(t, "properties.ssl.truststore.location", "option 'properties.ssl.truststore.location': %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, connector.OptionError(t, "properties.ssl.truststore.location", "option 'properties.ssl.truststore.location': %s holds no PEM certificate", path)
		}
		cfg.RootCAs = pool
	}
	if certPath, ok := t.Option("properties.ssl.keystore.location"); ok {
		keyPath := connector.OptionString(t, "properties.ssl.key.location", certPath)
		cert, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return nil, connector.OptionError(t, "properties.ssl.keystore.location", "client certificate %s / key %s: %v", certPath, keyPath, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	} else if _, ok := t.Option("properties.ssl.key.location"); ok {
		return nil, connector.OptionError(t, "properties.ssl.key.location", "option 'properties.ssl.key.location' needs 'properties.ssl.keystore.location' (the client certificate)")
	}
	checkHost, err := checkHostName(t)
	if err != nil {
		return nil, err
	}
	if !checkHost {
		// Kafka's meaning of '': check the chain but not the host name.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return fmt.Errorf("the broker sent no certificate")
			}
			certs := make([]*x509.Certificate, len(raw))
			for i, r := range raw {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return err
				}
				certs[i] = c
			}
			inter := x509.NewCertPool()
			for _, c := range certs[1:] {
				inter.AddCert(c)
			}
			_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	return cfg, nil
}
