package chlocal

import (
	"context"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

func TestStartAnswersAndStopCleansUp(t *testing.T) {
	if _, err := findServer(); err != nil {
		t.Skip(err) // tests never install packages
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, s)
	// The config sets the server's zone to UTC, so a DateTime without an
	// explicit zone prints the same as in the warehouse tables.
	var epoch string
	if err := conn.QueryRow(ctx, "SELECT toString(toDateTime(86400))").Scan(&epoch); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if epoch != "1970-01-02 00:00:00" {
		t.Errorf("one day after the epoch prints as %s, want 1970-01-02 00:00:00 (server zone UTC)", epoch)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Exited():
	default:
		t.Error("server still running after Stop")
	}
	if _, err := os.Stat(s.Dir()); !os.IsNotExist(err) {
		t.Errorf("folder %s still there after Stop (%v)", s.Dir(), err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestZooKeeperAnswersRuokAndStopEndsItsProcessAndFolder(t *testing.T) {
	if !fileExists(zkServerScript) {
		t.Skip("no ZooKeeper installed") // tests never install packages; .ci/run does
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	z, err := StartZooKeeper(ctx, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = z.Stop() })
	if !z.Ruok() {
		t.Fatal("a started ZooKeeper does not answer ruok")
	}
	pid, dir := z.PID(), z.dir
	if err := z.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("ZooKeeper process %d still runs after Stop", pid)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("folder %s left after Stop", dir)
	}
}

func TestClusterReplicatesAnInsertToTheOtherReplica(t *testing.T) {
	if _, err := findServer(); err != nil || !fileExists(zkServerScript) {
		t.Skip("no ClickHouse or ZooKeeper installed") // tests never install packages; .ci/run does
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := StartCluster(ctx, Options{}, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	a, b := connect(t, c.Servers[0][0]), connect(t, c.Servers[0][1])
	for _, q := range []string{
		"CREATE DATABASE IF NOT EXISTS probe ON CLUSTER " + ClusterName,
		"CREATE TABLE IF NOT EXISTS probe.t ON CLUSTER " + ClusterName + " (k UInt32) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/probe/t', '{replica}') ORDER BY k",
		"INSERT INTO probe.t SELECT toUInt32(7)",
	} {
		if err := a.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var n uint64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err := b.QueryRow(ctx, "SELECT count() FROM probe.t").Scan(&n); err == nil && n == 1 {
			return
		}
	}
	t.Fatalf("the other replica has %d rows, want 1", n)
}

// connect opens a connection to s that closes with the test.
func connect(t *testing.T, s *Server) ch.Conn {
	t.Helper()
	opts, err := ch.ParseDSN(s.DSN())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ch.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestZooKeeperOnAPortTakenMeanwhileStartsOnAnother: the port picked for
// it is taken before ZooKeeper binds it; it exits, and is started again on
// another port.
func TestZooKeeperOnAPortTakenMeanwhileStartsOnAnother(t *testing.T) {
	if !fileExists(zkServerScript) {
		t.Skip("no ZooKeeper installed")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	picks := 0
	zooKeeperPort = func() (int, error) {
		if picks++; picks == 1 {
			return taken.Addr().(*net.TCPAddr).Port, nil
		}
		return freePort()
	}
	t.Cleanup(func() { zooKeeperPort = freePort })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var log strings.Builder
	z, err := StartZooKeeper(ctx, Options{Log: &log}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = z.Stop() })
	if picks != 2 || z.port == taken.Addr().(*net.TCPAddr).Port || !z.Ruok() {
		t.Errorf("%d picks, port %d (taken: %s), ruok %v", picks, z.port, taken.Addr(), z.Ruok())
	}
	if !strings.Contains(log.String(), "starting it again on another port") {
		t.Errorf("log: %s", log.String())
	}
}
