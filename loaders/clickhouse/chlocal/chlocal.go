// Package chlocal runs a throwaway ClickHouse server as a child process,
// with its data, logs and ports in a folder of its own, for tests, the demo
// and benchmarks. It works with Debian's clickhouse-server 18.16 and with
// current single-binary releases.
package chlocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// Options tune Start. The zero value is ready to use.
type Options struct {
	// Dir holds config, data and logs. Empty means a new temporary folder,
	// removed by Stop.
	Dir string
	// Install lets Start apt-get install clickhouse-server when no server
	// binary is found (needs root).
	Install bool
	// StartTimeout bounds the wait for the first answer; default 60s.
	StartTimeout time.Duration
	// Log receives progress messages (installing, started); nil discards them.
	Log io.Writer

	// Set by StartCluster: the ports chosen up front (every server's
	// config names all of them) and the cluster's part of config.xml.
	ports   *serverPorts
	cluster string
}

// logw is where progress messages go.
func (o Options) logw() io.Writer {
	if o.Log == nil {
		return io.Discard
	}
	return o.Log
}

// serverPorts are one server's ports.
type serverPorts struct{ tcp, http, interserver int }

func newServerPorts() (*serverPorts, error) {
	var p serverPorts
	for _, port := range []*int{&p.tcp, &p.http, &p.interserver} {
		var err error
		if *port, err = freePort(); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// Server is a running ClickHouse child process.
type Server struct {
	child
	tcpPort  int
	httpPort int
}

// Start finds (or installs) a ClickHouse server, starts it and waits until
// it answers SELECT 1 over the native protocol.
func Start(ctx context.Context, opts Options) (*Server, error) {
	logw := opts.logw()
	argv, err := findServer()
	if errors.Is(err, errNoServer) && opts.Install {
		if err = install(ctx, logw); err == nil {
			argv, err = findServer()
		}
	}
	if err != nil {
		return nil, err
	}

	s := &Server{child: child{name: "ClickHouse"}}
	if err := s.folder(opts.Dir, "kramar-clickhouse-"); err != nil {
		return nil, err
	}
	ports := opts.ports
	if ports == nil {
		if ports, err = newServerPorts(); err != nil {
			return nil, s.cleanup(err)
		}
	}
	s.tcpPort, s.httpPort = ports.tcp, ports.http
	config, err := writeConfig(s.dir, *ports, opts.cluster)
	if err != nil {
		return nil, s.cleanup(err)
	}

	cmd := exec.Command(argv[0], append(argv[1:], "--config-file="+config)...)
	cmd.Dir = s.dir
	if err := s.launch(ctx, cmd, filepath.Join(s.dir, "log", "stdout.log"), opts.StartTimeout, s.waitReady); err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "chlocal: ClickHouse listening on 127.0.0.1:%d (native), data in %s\n", s.tcpPort, s.dir)
	return s, nil
}

// Addr is host:port of the native protocol.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.tcpPort) }

// DSN is the native-protocol address of the server's default database.
func (s *Server) DSN() string { return fmt.Sprintf("clickhouse://127.0.0.1:%d/default", s.tcpPort) }

// Dir is the folder holding the server's config, data and logs.
func (s *Server) Dir() string { return s.dir }

// LogTail returns the last lines of the server's logs, for error messages.
func (s *Server) LogTail() string { return logTail(s.dir, 20) }

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts := &ch.Options{Addr: []string{fmt.Sprintf("127.0.0.1:%d", s.tcpPort)}, DialTimeout: time.Second}
	var last error
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("chlocal: ClickHouse exited during start-up (%v); log tail:\n%s", s.waitErr, s.LogTail())
		default:
		}
		if last = selectOne(ctx, opts); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("chlocal: ClickHouse did not answer SELECT 1 within %s (%v); log tail:\n%s", timeout, last, s.LogTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func selectOne(ctx context.Context, opts *ch.Options) error {
	conn, err := ch.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	var one uint8
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

var errNoServer = errors.New("chlocal: no ClickHouse server found (looked for /usr/sbin/clickhouse-server, clickhouse-server and clickhouse on PATH)")

// findServer returns the command that runs a server, before its flags.
func findServer() ([]string, error) {
	if fileExists("/usr/sbin/clickhouse-server") {
		return []string{"/usr/sbin/clickhouse-server"}, nil
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return []string{p}, nil
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return []string{p, "server"}, nil
	}
	return nil, errNoServer
}

func install(ctx context.Context, logw io.Writer) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w; installing it needs root: apt-get install -y clickhouse-server clickhouse-client", errNoServer)
	}
	return aptInstall(ctx, logw, "clickhouse-server", "clickhouse-client")
}

// aptInstall installs Debian packages (needs root).
func aptInstall(ctx context.Context, logw io.Writer, pkgs ...string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("chlocal: installing %s needs root: apt-get install -y %s", strings.Join(pkgs, ", "), strings.Join(pkgs, " "))
	}
	for _, args := range [][]string{
		{"apt-get", "update"},
		append([]string{"apt-get", "install", "-y"}, pkgs...),
	} {
		fmt.Fprintf(logw, "chlocal: %s\n", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = logw, logw
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("chlocal: %s: %w", strings.Join(args, " "), err)
		}
	}
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// freePort asks the kernel for an unused port. Another process could take
// it before the server binds it; on a test machine that race is rare enough.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logTail returns the last n lines of each log file in dir/log.
func logTail(dir string, n int) string {
	var b strings.Builder
	for _, name := range []string{"stdout.log", "server.err.log", "server.log"} {
		if tail := logTailOf(filepath.Join(dir, "log", name), n); tail != "" {
			fmt.Fprintf(&b, "==> %s <==\n%s\n", name, tail)
		}
	}
	if b.Len() == 0 {
		return "(no log output)"
	}
	return b.String()
}

// logTailOf returns the last n lines of one file ("" when empty or absent).
func logTailOf(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
