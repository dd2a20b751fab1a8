package chtest

import (
	"bytes"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a TCP relay on a loopback port between the code under test and
// a server of the test's (ClickHouse, ZooKeeper), so a test can cut the
// server off for good or for a while, or, for ClickHouse, make it refuse
// inserts or stall at a chosen query, as a network cut or a hung server
// would. It reads the client's bytes only to spot query text, which the
// native protocol sends uncompressed.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	paused  bool          // drop every connection, and those that come
	refuse  bool          // cut every connection that sends an INSERT
	hold    []byte        // stall the connection that sends this text
	held    chan struct{} // closed once a connection stalls on hold
	release chan struct{} // closed by Release
	conns   map[net.Conn]bool
}

// NewProxy relays to the server of dsn and returns the proxy and dsn
// pointed at it. The proxy stops with the test.
func NewProxy(t testing.TB, dsn string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal("the DSN does not parse") // the error would quote a password
	}
	p := NewRelay(t, u.Host)
	u.Host = p.Addr()
	return p, u.String()
}

// NewRelay relays to the server at target (host:port); it is cut when the
// test ends.
func NewRelay(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]bool{}, release: make(chan struct{})}
	go p.accept()
	t.Cleanup(p.Cut)
	return p
}

// Addr is the relay's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Pause drops every connection and those that come, until Resume: the
// server is unreachable for a while, on the same address.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = true
	p.dropAllLocked()
}

// Resume forwards new connections again.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = false
}

// RefuseInserts, while on, cuts every connection at its next INSERT, as a
// server that refuses writes would; reads go on.
func (p *Proxy) RefuseInserts(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = on
}

// HoldAt stalls the first connection that sends text: the query never
// reaches the server, and the client waits for its answer until Release.
// The channel closes when that happens.
func (p *Proxy) HoldAt(text string) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold, p.held = []byte(text), make(chan struct{})
	return p.held
}

// Release lets stalled connections go on.
func (p *Proxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.release:
	default:
		close(p.release)
	}
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		paused := p.paused
		p.mu.Unlock()
		if paused {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(c, s); p.drop(c, s) }()
		go func() { p.toServer(c, s); p.drop(c, s) }()
	}
}

// toServer copies the client's bytes, watching for what to refuse or hold.
// A match across two reads is found by keeping the tail of the last one.
func (p *Proxy) toServer(c, s net.Conn) {
	buf := make([]byte, 64<<10)
	var tail []byte
	for {
		n, err := c.Read(buf)
		if n > 0 {
			seen := append(tail, buf[:n]...)
			if p.refuses(seen) {
				return
			}
			if p.holds(seen) {
				<-p.release
				return
			}
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
			tail = append(tail[:0], seen[max(0, len(seen)-256):]...)
		}
		if err != nil {
			return
		}
	}
}

func (p *Proxy) refuses(seen []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refuse && bytes.Contains(seen, []byte("INSERT INTO"))
}

func (p *Proxy) holds(seen []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold == nil || !bytes.Contains(seen, p.hold) {
		return false
	}
	p.hold = nil
	close(p.held)
	return true
}

func (p *Proxy) drop(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Cut closes the relay and every connection through it, for good: to the
// server its clients vanish without a goodbye, as in a crash.
func (p *Proxy) Cut() {
	p.ln.Close()
	p.Release()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropAllLocked()
}

func (p *Proxy) dropAllLocked() {
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}
