package coord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// HeldError says a one-shot command did not run a store because another
// process held the store's lease for as long as it was willing to wait.
type HeldError struct {
	Store, Holder string
	Waited        time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("store %s is being run by %s (it holds the store's lease in ZooKeeper); not run after waiting %s",
		e.Store, e.Holder, e.Waited.Round(time.Second))
}

// Holder takes store leases for a one-shot command (kramar run, push,
// backfill). It is not a worker: it joins no membership and takes no
// share of the stores. But a store it runs is leased like a worker's, the
// same ephemeral node ROOT/leases/STORE, so a `kramar serve` worker skips
// the store meanwhile (Begin answers ErrHeldElsewhere). To get a store a
// worker holds, it leaves a waiter node ROOT/waiting/STORE-N: the worker
// gives the lease up when the store's run ends, and takes none while the
// waiter is there; the Holder watches the lease node and takes it once it
// is gone, then removes its waiter.
type Holder struct {
	conn *zk.Conn
	root string
	name string
	log  *slog.Logger
	// timeout is the session timeout: after a third of it disconnected the
	// session may be over, and the leases with it.
	timeout time.Duration

	mu   sync.Mutex
	runs map[*context.CancelFunc]struct{} // the runs going under a lease
	down *time.Timer                      // set while disconnected
}

// Dial connects a one-shot command to ZooKeeper under root as name (what
// kramar status shows as the holder of its leases) and waits, at most
// until ctx ends, for a session.
func Dial(ctx context.Context, servers []string, root, name string, timeout time.Duration, log *slog.Logger) (*Holder, error) {
	if log == nil {
		log = slog.Default()
	}
	h := &Holder{root: root, name: name, log: log.With("holder", name), timeout: timeout, runs: map[*context.CancelFunc]struct{}{}}
	conn, ok, err := connect(ctx, servers, timeout, h.log, h.event)
	if err != nil {
		return nil, fmt.Errorf("coordination: %w", err)
	}
	if !ok {
		return nil, errors.New("coordination: no ZooKeeper server answered, so no store can be leased; nothing was run")
	}
	h.conn = conn
	if err := layOut(conn, root); err != nil {
		conn.Close()
		return nil, fmt.Errorf("coordination: %w", err)
	}
	return h, nil
}

// Close ends the session, and with it every lease still held.
func (h *Holder) Close() {
	h.conn.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cancelRuns()
}

func (h *Holder) path(parts ...string) string { return node(h.root, parts...) }

// event cancels the runs once the session may be over: at once when it
// expired, a third of the timeout after the connection was lost (the
// coordinator's rule, see expire), so that no worker takes a store whose
// run goes on here.
func (h *Holder) event(ev zk.Event) {
	if ev.Type != zk.EventSession {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch ev.State {
	case zk.StateExpired:
		h.cancelRuns()
	case zk.StateDisconnected, zk.StateConnecting:
		if h.down == nil {
			h.down = time.AfterFunc(h.timeout/3, func() {
				h.mu.Lock()
				defer h.mu.Unlock()
				if h.down != nil {
					h.log.Warn("ZooKeeper unreachable for so long that the session may be over: the runs under its leases are cancelled", "runs", len(h.runs))
					h.cancelRuns()
				}
			})
		}
	case zk.StateHasSession:
		if h.down != nil {
			h.down.Stop()
			h.down = nil
		}
	}
}

// cancelRuns ends every run under a lease (h.mu held).
func (h *Holder) cancelRuns() {
	for c := range h.runs {
		(*c)()
		delete(h.runs, c)
	}
	if h.down != nil {
		h.down.Stop()
		h.down = nil
	}
}

// Hold takes store's lease, waiting up to wait while another process
// holds it, and returns the run's context, cancelled if the lease may be
// lost, and release, which gives the lease up. A store still held after
// wait is a *HeldError naming the holder.
func (h *Holder) Hold(ctx context.Context, store string, wait time.Duration) (context.Context, func(), error) {
	p := h.path("leases", store)
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	started := time.Now()
	waiter := "" // left only once the lease turns out to be held
	defer func() {
		// Gone once the lease is taken or given up; with the session otherwise.
		if waiter == "" {
			return
		}
		if err := h.conn.Delete(waiter, -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
			h.log.Debug("coordination: removing a waiter failed; it ends with the session", "store", store, "error", err)
		}
	}()
	for {
		_, err := h.conn.Create(p, []byte(h.name), zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
		if err == nil {
			return h.running(ctx, store, p)
		}
		if !errors.Is(err, zk.ErrNodeExists) {
			return nil, nil, fmt.Errorf("coordination: lease of store %s: %w", store, err)
		}
		if waiter == "" {
			if waiter, err = h.conn.Create(h.path("waiting", store+"-"), []byte(h.name), zk.FlagEphemeral|zk.FlagSequence, zk.WorldACL(zk.PermAll)); err != nil {
				return nil, nil, fmt.Errorf("coordination: wait for store %s: %w", store, err)
			}
		}
		data, _, changed, err := h.conn.GetW(p)
		if errors.Is(err, zk.ErrNoNode) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, nil, fmt.Errorf("coordination: lease of store %s: %w", store, err)
		}
		h.log.Info("store's lease held by another process; waiting", "store", store, "holder", string(data))
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-deadline.C:
			return nil, nil, &HeldError{Store: store, Holder: string(data), Waited: time.Since(started)}
		}
	}
}

// running registers a run under the lease at p and returns its context
// and release.
func (h *Holder) running(ctx context.Context, store, p string) (context.Context, func(), error) {
	sid := h.conn.SessionID()
	run, cancel := context.WithCancel(ctx)
	h.mu.Lock()
	h.runs[&cancel] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return run, func() {
		once.Do(func() {
			cancel()
			h.mu.Lock()
			delete(h.runs, &cancel)
			h.mu.Unlock()
			// Only the node of this session: a worker's lease taken after
			// this one's session ended is never deleted.
			if _, st, err := h.conn.Get(p); err == nil && st.EphemeralOwner == sid {
				if err := h.conn.Delete(p, st.Version); err != nil && !errors.Is(err, zk.ErrNoNode) {
					h.log.Debug("coordination: releasing a lease failed; it ends with the session", "store", store, "error", err)
				}
			}
		})
	}, nil
}
