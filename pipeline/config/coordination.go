package config

import (
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Coordination lets several `kramar serve` workers share the stores
// through ZooKeeper (see pipeline/coord). Without it one daemon runs every
// store of its config.
type Coordination struct {
	// ZooKeeper is the ensemble, as host:port addresses tried in turn.
	ZooKeeper []string `yaml:"zookeeper"`
	// Root is the ZooKeeper path under which the workers register and
	// hold their leases; default /kramar. Workers sharing stores share it.
	Root string `yaml:"root"`
	// SessionTimeout is how long ZooKeeper keeps a silent worker's session,
	// and with it its leases; a dead worker's stores move after it (plus
	// one interval). Default 10s.
	SessionTimeout Duration `yaml:"session_timeout"`
	// Worker is this process's name among the workers, in run records and
	// leases; default its hostname-pid.
	Worker string `yaml:"worker"`
}

// Defaults of the coordination keys.
const (
	DefaultCoordinationRoot = "/kramar"
	DefaultSessionTimeout   = 10 * time.Second
)

// Enabled tells whether the config asks for coordination.
func (c Coordination) Enabled() bool { return len(c.ZooKeeper) > 0 }

// WorkerName is Worker, or hostname-pid when not set.
func (c Coordination) WorkerName() string {
	if c.Worker != "" {
		return c.Worker
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "kramar"
	}
	// A ZooKeeper node name: no slashes.
	return strings.ReplaceAll(host, "/", "_") + "-" + strconv.Itoa(os.Getpid())
}

// fillCoordination sets the coordination keys the file left out.
func fillCoordination(dst *Coordination, present func(key string) bool) {
	if !present("coordination.root") {
		dst.Root = DefaultCoordinationRoot
	}
	if !present("coordination.session_timeout") {
		dst.SessionTimeout = Duration{DefaultSessionTimeout}
	}
}

// nodeName is what a ZooKeeper path segment kramar writes may hold.
var nodeName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// coordination checks what the file says under coordination:.
func (v validator) coordination(c Coordination) {
	if !v.d.present("coordination") {
		return
	}
	if !v.d.present("coordination.zookeeper") || len(c.ZooKeeper) == 0 {
		v.problem("coordination.zookeeper", "is required: the ZooKeeper servers as host:port, like [\"10.0.0.5:2181\"]")
	}
	for i, addr := range c.ZooKeeper {
		host, port, err := net.SplitHostPort(addr)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			v.problem(indexPath("coordination.zookeeper", i), "%q is not a host:port address like 127.0.0.1:2181", addr)
		}
	}
	if v.d.present("coordination.root") {
		segs := strings.Split(strings.TrimPrefix(c.Root, "/"), "/")
		ok := strings.HasPrefix(c.Root, "/") && c.Root != "/"
		for _, s := range segs {
			ok = ok && nodeName.MatchString(s)
		}
		if !ok {
			v.problem("coordination.root", "%q is not a ZooKeeper path like /kramar (letters, digits, . _ - between slashes, no slash at the end)", c.Root)
		}
	}
	if t := c.SessionTimeout.Duration; v.d.present("coordination.session_timeout") && (t < time.Second || t > 5*time.Minute) {
		v.problem("coordination.session_timeout", "must be between 1s and 5m (ZooKeeper itself keeps it within 2 and 20 ticks, 4s–40s by default)")
	}
	if v.d.present("coordination.worker") && !nodeName.MatchString(c.Worker) {
		v.problem("coordination.worker", "%q must be letters, digits, . _ or - (it names a ZooKeeper node)", c.Worker)
	}
}
