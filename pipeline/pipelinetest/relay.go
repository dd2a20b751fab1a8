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
	// paused drops what comes while set; cut is for good.
	paused, cut bool
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
			if r.cut || r.paused {
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
	r.dropLocked()
}

// Pause drops every connection and those that come, until Resume: the
// server is unreachable for a while, on the same address.
func (r *Relay) Pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = true
	r.dropLocked()
}

// Resume forwards new connections again.
func (r *Relay) Resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = false
}

func (r *Relay) dropLocked() {
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}
