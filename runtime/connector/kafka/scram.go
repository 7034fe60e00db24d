package kafka

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// sarama leaves the SCRAM exchange to the caller (its examples pull in
// github.com/xdg-go/scram). The client side of RFC 5802 is short, so it
// lives here on the standard library instead of adding a module; the
// test checks it against RFC 7677's example exchange and a broker.

var (
	sha256Hash = sha256.New
	sha512Hash = sha512.New
)

// scramClient is one SCRAM authentication (sarama.SCRAMClient).
type scramClient struct {
	h          func() hash.Hash
	user, pass string
	nonce      string // client nonce
	firstBare  string // client-first-message-bare
	serverSig  []byte
	step       int
	done       bool
}

func newSCRAM(h func() hash.Hash) *scramClient { return &scramClient{h: h} }

// escapeName escapes ',' and '=' in a SASL name (RFC 5802 5.1).
func escapeName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

func (c *scramClient) Begin(user, pass, _ string) error {
	c.user, c.pass = user, pass
	if c.nonce == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		c.nonce = base64.RawStdEncoding.EncodeToString(b)
	}
	c.step, c.done = 0, false
	return nil
}

func (c *scramClient) Step(challenge string) (string, error) {
	c.step++
	switch c.step {
	case 1:
		c.firstBare = "n=" + escapeName(c.user) + ",r=" + c.nonce
		return "n,," + c.firstBare, nil
	case 2:
		return c.final(challenge)
	case 3:
		attrs := scramAttrs(challenge)
		if e, ok := attrs["e"]; ok {
			return "", fmt.Errorf("SCRAM: the server refused the credentials: %s", e)
		}
		v, err := base64.StdEncoding.DecodeString(attrs["v"])
		if err != nil || subtle.ConstantTimeCompare(v, c.serverSig) != 1 {
			return "", errors.New("SCRAM: the server's signature does not match (wrong server or mechanism)")
		}
		c.done = true
		return "", nil
	}
	return "", errors.New("SCRAM: unexpected extra step")
}

func (c *scramClient) Done() bool { return c.done }

func scramAttrs(msg string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(msg, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

func (c *scramClient) final(serverFirst string) (string, error) {
	attrs := scramAttrs(serverFirst)
	if e, ok := attrs["e"]; ok {
		return "", fmt.Errorf("SCRAM: the server refused: %s", e)
	}
	nonce := attrs["r"]
	if !strings.HasPrefix(nonce, c.nonce) || len(nonce) == len(c.nonce) {
		return "", errors.New("SCRAM: the server's nonce does not extend ours")
	}
	salt, err := base64.StdEncoding.DecodeString(attrs["s"])
	if err != nil {
		return "", errors.New("SCRAM: bad salt from the server")
	}
	iter, err := strconv.Atoi(attrs["i"])
	if err != nil || iter < 1 {
		return "", errors.New("SCRAM: bad iteration count from the server")
	}
	salted, err := pbkdf2.Key(c.h, c.pass, salt, iter, c.h().Size())
	if err != nil {
		return "", fmt.Errorf("SCRAM: %v", err)
	}
	mac := func(key []byte, s string) []byte {
		m := hmac.New(c.h, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	clientKey := mac(salted, "Client Key")
	hs := c.h()
	hs.Write(clientKey)
	storedKey := hs.Sum(nil)
	withoutProof := "c=biws,r=" + nonce
	authMsg := c.firstBare + "," + serverFirst + "," + withoutProof
	sig := mac(storedKey, authMsg)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ sig[i]
	}
	c.serverSig = mac(mac(salted, "Server Key"), authMsg)
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}
