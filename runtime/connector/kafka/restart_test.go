package kafka_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// The broker goes away mid-run and comes back on the same port with its
// data: the live job keeps retrying and ends up with every record once,
// in offset order within the partition.
func TestBrokerRestart(t *testing.T) {
	_, portS, _ := net.SplitHostPort(freeAddr(t))
	port, _ := strconv.Atoi(portS)
	dir := t.TempDir()
	start := func() *kfake.Cluster {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dir), kfake.SeedTopics(1, "t"))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := start()
	addr := c.ListenAddrs()[0]
	var first, second []rec
	for i := 0; i < 5; i++ {
		first = append(first, rec{topic: "t", value: fmt.Sprintf(`{"id": %d}`, i)})
		second = append(second, rec{topic: "t", value: fmt.Sprintf(`{"id": %d}`, 5+i)})
	}
	produce(t, addr, first...)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		q := idsQuery(addr, "t", `, 'scan.startup.mode' = 'earliest-offset'`)
		q = strings.Replace(q, ", 'scan.bounded.mode' = 'latest-offset'", "", 1) // live job
		out, _, _, err := runSQL(t, ctx, q)
		done <- result{out, err}
	}()
	time.Sleep(1 * time.Second) // let the job read the first records
	c.Close()
	time.Sleep(1500 * time.Millisecond)
	c = start()
	defer c.Close()
	produce(t, addr, second...)
	r := <-done
	if r.err != nil {
		t.Fatalf("run: %v", r.err)
	}
	got := lines(r.out)
	want := idLines(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the restart:\ngot  %v\nwant %v", got, want)
	}
}
