package devbroker

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DefaultAddr is where the development broker listens unless told otherwise.
const DefaultAddr = "127.0.0.1:9092"

// Config configures Start. The zero value listens on DefaultAddr with 4
// partitions per auto-created topic, in memory only.
type Config struct {
	// Addr is host:port to listen on (DefaultAddr when empty). Port 0
	// picks a free port; Broker.Addr tells which.
	Addr string
	// Partitions is the partition count of topics created on demand (4
	// when 0).
	Partitions int
	// DataDir, when set, persists topics and group offsets there so that
	// they survive a restart (everything is still held in memory).
	DataDir string
	// FallbackToFreePort listens on a free port of the same host when
	// Addr's port is in use, instead of failing.
	FallbackToFreePort bool
}

// Broker is a running development broker.
type Broker struct {
	cluster  *kfake.Cluster
	addr     string
	fellBack bool
	aborted  int
}

// ErrAddrInUse is wrapped by Start's error when the port is taken.
var ErrAddrInUse = errors.New("address already in use")

// Start listens on cfg.Addr and serves until Close.
func Start(cfg Config) (*Broker, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = 4
	}
	if cfg.Partitions < 1 || cfg.Partitions > 10000 {
		return nil, fmt.Errorf("partitions must be between 1 and 10000, got %d", cfg.Partitions)
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("broker address %q: want host:port (for example %s)", cfg.Addr, DefaultAddr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("broker address %q: port must be a number from 0 to 65535", cfg.Addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	var open []openTxn
	if cfg.DataDir != "" {
		if open, err = openTxns(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("data dir %s: cannot read its transactions: %v (the broker would hide committed records; move the directory away to start empty)", cfg.DataDir, err)
		}
	}
	b := &Broker{}
	b.cluster, err = start(cfg, host, port)
	if err != nil && errors.Is(err, ErrAddrInUse) && cfg.FallbackToFreePort && port != 0 {
		b.fellBack = true
		b.cluster, err = start(cfg, host, 0)
	}
	if err != nil {
		return nil, err
	}
	b.addr = b.cluster.ListenAddrs()[0]
	if err := abortOpen(b.addr, open); err != nil {
		b.cluster.Close()
		return nil, fmt.Errorf("data dir %s: cannot abort the transactions an unclean stop left open: %v (read_committed readers would not see later commits of their producers; move the directory away to start empty)", cfg.DataDir, err)
	}
	b.aborted = len(open)
	return b, nil
}

func start(cfg Config, host string, port int) (*kfake.Cluster, error) {
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		// no kfake.AllowAutoTopicCreation: autoCreate does it so that the
		// topic is persisted
		kfake.DefaultNumPartitions(cfg.Partitions),
		// kfake always asks for 127.0.0.1:port; listen on the host we were given.
		kfake.ListenFn(func(network, address string) (net.Listener, error) {
			_, p, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			return net.Listen(network, net.JoinHostPort(host, p))
		}),
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("cannot listen on %s: %w (is another broker running? choose another port with --addr)", addr, ErrAddrInUse)
		}
		return nil, fmt.Errorf("starting the development broker on %s: %w", addr, err)
	}
	autoCreate(c, cfg.Partitions)
	return c, nil
}

// autoCreate creates the topics a metadata request asks for that do not
// exist, when the request allows it (as Kafka's auto.create.topics.enable
// does). kfake's own auto-creation (kfake.AllowAutoTopicCreation) keeps
// such a topic out of its DataDir's topic list until a clean shutdown,
// so that after a SIGKILL the restarted broker dropped the topic and
// every record in it (defect 9 of issue 9); Cluster.CreateTopic persists
// it at once. A control function may call the cluster's admin methods:
// kfake serves them while it waits for the function.
func autoCreate(c *kfake.Cluster, partitions int) {
	c.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		m, ok := req.(*kmsg.MetadataRequest)
		if !ok || !m.AllowAutoTopicCreation {
			return nil, nil, false
		}
		for _, t := range m.Topics {
			if t.Topic == nil || *t.Topic == "" || len(c.PartitionInfos(*t.Topic)) > 0 {
				continue
			}
			// an invalid name fails here and is answered as unknown
			_ = c.CreateTopic(*t.Topic, int32(partitions), nil)
		}
		return nil, nil, false
	})
}

// Aborted is how many transactions an unclean stop had left open, which
// Start aborted (their records were never committed).
func (b *Broker) Aborted() int { return b.aborted }

// Addr is the host:port the broker listens on, for
// 'properties.bootstrap.servers'.
func (b *Broker) Addr() string { return b.addr }

// FellBack reports that the configured port was busy and the broker took
// a free one instead (Config.FallbackToFreePort).
func (b *Broker) FellBack() bool { return b.fellBack }

// CreateTopic creates a topic with the given number of partitions (the
// broker's default when 0). A topic that already exists is left as it is.
func (b *Broker) CreateTopic(name string, partitions int) error {
	if name == "" {
		return errors.New("topic name is empty")
	}
	err := b.cluster.CreateTopic(name, int32(partitions), nil)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("creating topic %q: %w", name, err)
	}
	return nil
}

// Partitions returns the partition count of a topic, 0 when it does not exist.
func (b *Broker) Partitions(topic string) int {
	return len(b.cluster.PartitionInfos(topic))
}

// Close stops listening, drops client connections and, with a DataDir,
// writes the final state. It is safe to call more than once.
func (b *Broker) Close() { b.cluster.Close() }
