package kafka

import (
	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// SCRAM (RFC 5802) through github.com/xdg-go/scram, the library sarama's
// own examples use: sarama leaves the exchange to the caller.
//
// The password is not SASLprep-normalised (scram.NewClientUnprepped):
// Kafka's brokers derive the stored SCRAM credentials from the password's
// UTF-8 bytes as they are (ScramFormatter.normalize), and so does the
// Java client Flink uses. Normalising here would lock out every user
// whose password SASLprep changes (a no-break space, a compatibility
// character such as 'Ⅸ'); TestSASLLogin logs in with such a password.
// The user name is escaped (',' and '=') as the RFC asks.

// scramClient is one SCRAM authentication (sarama.SCRAMClient).
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func newSCRAM(h scram.HashGeneratorFcn) sarama.SCRAMClient { return &scramClient{hash: h} }

func (c *scramClient) Begin(user, pass, authzID string) error {
	cl, err := c.hash.NewClientUnprepped(user, pass, authzID)
	if err != nil {
		return err
	}
	c.conv = cl.NewConversation()
	return nil
}

func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

func (c *scramClient) Done() bool { return c.conv.Done() }
