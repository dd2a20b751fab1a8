// Command chlocal runs a command against a throwaway ClickHouse server:
//
//	go run ./cmd/chlocal -- go test ./...
//	go run ./cmd/chlocal --keep          # just run a server until Ctrl-C
//
// If KRAMAR_CLICKHOUSE_DSN is set, that server is used and nothing is
// started. Otherwise chlocal starts clickhouse-server (installing it with
// apt-get when missing and running as root) in a temporary folder, exports
// KRAMAR_CLICKHOUSE_DSN to the command, stops the server afterwards and exits
// with the command's exit code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse/chlocal"
)

// dsnEnv is the variable every kramar command reads the warehouse DSN from.
const dsnEnv = "KRAMAR_CLICKHOUSE_DSN"

func main() {
	keep := flag.Bool("keep", false, "start a server and keep it running until Ctrl-C (no command)")
	flag.StringVar(&clusterShape, "cluster", "", "start a ZooKeeper and SHARDSxREPLICAS servers (like 1x2) as the cluster \""+chlocal.ClusterName+"\" instead of one server")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: chlocal -- command [args…]\n       chlocal --keep\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	args := flag.Args()
	if *keep == (len(args) > 0) {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(args, *keep))
}

// clusterShape is --cluster: "" for one server, else SHARDSxREPLICAS.
var clusterShape string

// pidEnv lists the servers' process ids (benchmarks read their CPU).
const pidEnv = "KRAMAR_CLICKHOUSE_PID"

// throwawayEnv tells the command chlocal runs that the server stops with it.
const throwawayEnv = "KRAMAR_CLICKHOUSE_THROWAWAY"

// zookeeperEnv is the cluster's ZooKeeper, for workers (kramar demo --workers).
const zookeeperEnv = "KRAMAR_ZOOKEEPER"

// clusterEnv names the cluster for kramar (it overrides clickhouse.cluster).
const clusterEnv = "KRAMAR_CLICKHOUSE_CLUSTER"

// local is what chlocal starts: one server or a cluster.
type local interface {
	DSN() string
	Stop() error
	Exited() <-chan struct{}
	LogTail() string
}

func start(ctx context.Context) (local, []string, error) {
	opts := chlocal.Options{Install: true, Log: os.Stderr}
	if clusterShape == "" {
		srv, err := chlocal.Start(ctx, opts)
		if err != nil {
			return nil, nil, err
		}
		return srv, []string{dsnEnv + "=" + srv.DSN(), pidEnv + "=" + strconv.Itoa(srv.PID())}, nil
	}
	var shards, replicas int
	if _, err := fmt.Sscanf(clusterShape, "%dx%d", &shards, &replicas); err != nil {
		return nil, nil, fmt.Errorf("chlocal: --cluster %q: want SHARDSxREPLICAS, like 1x2", clusterShape)
	}
	c, err := chlocal.StartCluster(ctx, opts, shards, replicas)
	if err != nil {
		return nil, nil, err
	}
	var pids []string
	for _, shard := range c.Servers {
		for _, s := range shard {
			pids = append(pids, strconv.Itoa(s.PID()))
		}
	}
	return c, []string{dsnEnv + "=" + c.DSN(), clusterEnv + "=" + chlocal.ClusterName, pidEnv + "=" + strings.Join(pids, ","),
		zookeeperEnv + "=" + c.ZooKeeper.Addr()}, nil
}

func run(args []string, keep bool) int {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)

	if dsn := os.Getenv(dsnEnv); dsn != "" && !keep {
		return runCommand(args, nil, signals)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// A signal during start-up abandons it; Start stops what it began.
		select {
		case <-signals:
			cancel()
		case <-ctx.Done():
		}
	}()
	srv, env, err := start(ctx)
	stopWatching := ctx.Err() == nil
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if !stopWatching {
		_ = srv.Stop()
		return 130
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()

	if keep {
		for _, e := range env {
			fmt.Fprintf(os.Stderr, "chlocal: export %s\n", e)
		}
		fmt.Fprintf(os.Stderr, "chlocal: Ctrl-C stops the server\n")
		select {
		case <-signals:
			return 0
		case <-srv.Exited():
			fmt.Fprintf(os.Stderr, "chlocal: server exited; log tail:\n%s\n", srv.LogTail())
			return 1
		}
	}
	// The command may tell its user that this server goes when it ends.
	return runCommand(args, append(env, throwawayEnv+"=1"), signals)
}

// runCommand runs args with extra environment variables, passing a SIGINT or
// SIGTERM on to it, and returns its exit code.
func runCommand(args, env []string, signals <-chan os.Signal) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "chlocal: %v\n", err)
		return 127
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var err error
	select {
	case err = <-done:
	case sig := <-signals:
		_ = cmd.Process.Signal(sig)
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			err = <-done
		}
	}
	return exitCode(err)
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	}
	fmt.Fprintf(os.Stderr, "chlocal: %v\n", err)
	return 1
}
