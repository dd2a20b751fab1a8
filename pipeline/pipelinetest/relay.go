package pipelinetest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Relay forwards TCP connections to a server until Cut, which closes the
// listener and every connection: the server is then unreachable, and to
// the server its clients vanished without a goodbye, as in a crash.
type Relay struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	cut   bool
}

// NewRelay listens on a free loopback port and forwards to target; it is
// cut when the test ends.
func NewRelay(t testing.TB, target string) *Relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Relay{ln: ln}
	t.Cleanup(r.Cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			if r.cut { // accepted just before the cut
				c.Close()
				up.Close()
			}
			r.conns = append(r.conns, c, up)
			r.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return r
}

// Addr is the relay's host:port.
func (r *Relay) Addr() string { return r.ln.Addr().String() }

// Cut closes the relay and every connection through it.
func (r *Relay) Cut() {
	r.ln.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cut = true
	for _, c := range r.conns {
		c.Close()
	}
}
