package chlocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ZooKeeper is a running single-node ZooKeeper child process, on a loopback
// port, with its data in a folder of its own: what ClickHouse replication
// and kramar's workers coordinate through in tests, the demo and benchmarks.
type ZooKeeper struct {
	child
	port int
}

// zkServerScript is where Debian's zookeeper package puts the server's
// launcher; it runs the JVM in the foreground with start-foreground.
const zkServerScript = "/usr/share/zookeeper/bin/zkServer.sh"

// StartZooKeeper starts ZooKeeper (installing Debian's zookeeper package
// when opts.Install allows and it is missing) and waits until it answers
// ruok with imok. Port 0 picks a free one.
//
// A port picked free can be taken before the JVM, a second or so later,
// binds it (by another server starting, or as the local end of some
// connection), and ZooKeeper then exits; Debian's package logs nothing
// that says so (no SLF4J binding). So a picked port that ZooKeeper exits
// on at start is picked again, twice at most.
func StartZooKeeper(ctx context.Context, opts Options, port int) (*ZooKeeper, error) {
	for attempt := 1; ; attempt++ {
		z, err := startZooKeeper(ctx, opts, port)
		if err == nil || port != 0 || attempt == 3 || !errors.Is(err, errExitedAtStart) {
			return z, err
		}
		fmt.Fprintf(opts.logw(), "chlocal: ZooKeeper exited at start; starting it again on another port\n")
	}
}

// zooKeeperPort picks the port of a ZooKeeper started on port 0; a test
// makes it pick a taken one.
var zooKeeperPort = freePort

// errExitedAtStart is wrapped by the error of a ZooKeeper that ended
// before it answered.
var errExitedAtStart = errors.New("chlocal: ZooKeeper exited at start")

func startZooKeeper(ctx context.Context, opts Options, port int) (*ZooKeeper, error) {
	logw := opts.logw()
	if !fileExists(zkServerScript) {
		if !opts.Install {
			return nil, fmt.Errorf("chlocal: no ZooKeeper at %s; install Debian's zookeeper package", zkServerScript)
		}
		if err := aptInstall(ctx, logw, "zookeeper"); err != nil {
			return nil, err
		}
	}
	z := &ZooKeeper{child: child{name: "ZooKeeper"}, port: port}
	if err := z.folder(opts.Dir, "kramar-zookeeper-"); err != nil {
		return nil, err
	}
	var err error
	if z.port == 0 {
		if z.port, err = zooKeeperPort(); err != nil {
			return nil, z.cleanup(err)
		}
	}
	data := filepath.Join(z.dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, z.cleanup(err)
	}
	cfg := filepath.Join(z.dir, "zoo.cfg")
	// admin.enableServer=false: the admin HTTP server would take port 8080.
	text := fmt.Sprintf("tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n"+
		"admin.enableServer=false\n4lw.commands.whitelist=ruok,srvr,mntr\nmaxSessionTimeout=60000\n", data, z.port)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		return nil, z.cleanup(err)
	}
	cmd := exec.Command(zkServerScript, "start-foreground", cfg)
	cmd.Env = append(os.Environ(), "ZOO_LOG_DIR="+z.dir, "ZOO_LOG4J_PROP=INFO,CONSOLE")
	if err := z.launch(ctx, cmd, filepath.Join(z.dir, "zookeeper.log"), opts.StartTimeout, z.waitReady); err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "chlocal: ZooKeeper listening on %s, data in %s\n", z.Addr(), z.dir)
	return z, nil
}

// Addr is host:port of the client port.
func (z *ZooKeeper) Addr() string { return fmt.Sprintf("127.0.0.1:%d", z.port) }

// Ruok says whether the server answers "ruok" with "imok".
func (z *ZooKeeper) Ruok() bool {
	c, err := net.DialTimeout("tcp", z.Addr(), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("ruok")); err != nil {
		return false
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.HasPrefix(line, "imok")
}

func (z *ZooKeeper) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if z.Ruok() {
			return nil
		}
		select {
		case <-z.exited:
			return fmt.Errorf("%w:\n%s", errExitedAtStart, logTailOf(filepath.Join(z.dir, "zookeeper.log"), 20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("chlocal: ZooKeeper did not answer within %s:\n%s", timeout, logTailOf(filepath.Join(z.dir, "zookeeper.log"), 20))
		}
	}
}
