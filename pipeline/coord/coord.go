// Package coord decides which `kramar serve` worker runs which store, through
// ZooKeeper, so that several workers share the stores and no store ever runs
// on two of them at once.
//
// Two recipes from the ZooKeeper documentation, nothing home-made:
//
//   - Group membership: each worker holds an ephemeral node ROOT/workers/NAME
//     and watches the children of ROOT/workers. Every worker computes the
//     same assignment from that list by rendezvous (highest random weight)
//     hashing of the store id over the live workers, so a joining or leaving
//     worker moves only its share of the stores.
//   - A lease per store: the ephemeral node ROOT/leases/STORE, created by the
//     worker that runs the store (its data: the worker's name). ZooKeeper
//     creates a node once, so only one worker holds it; it vanishes with the
//     holder's session, so a dead worker's leases free themselves after the
//     session timeout. This is the plain lock of the recipes without the
//     queue of ephemeral sequential waiters: a worker that does not own a
//     store by rendezvous never waits for it, and the owner simply tries
//     again at its next firing, so there is no herd and no waiter node per
//     store and worker.
//
// A worker runs a store's job only while it owns the store by rendezvous
// and holds its lease (Begin). Rendezvous alone is not enough: two workers
// may briefly disagree on the membership; the lease settles it.
//
// A worker keeps the leases of its stores between runs. A one-shot command
// (Holder) that wants a store says so with an ephemeral sequential node
// ROOT/waiting/STORE-N, the recipe's waiter; workers watch ROOT/waiting,
// give up the store's lease once its run ends and take none while a
// command waits for it, and the command takes the lease when the node is
// gone.
package coord

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// ExpensesLease is the lease of the one expense job for all stores.
const ExpensesLease = "_expenses"

// Options are how a Coordinator reaches ZooKeeper and what it is called.
type Options struct {
	Servers        []string
	Root           string
	SessionTimeout time.Duration
	Worker         string
	Log            *slog.Logger
	// OnLease hears a lease taken (true) or given up or lost (false).
	OnLease func(store string, held bool)
}

// Why Begin refused.
var (
	// ErrNotReady: no ZooKeeper session this worker is registered in
	// (connection lost, session expired and not yet renewed).
	ErrNotReady = errors.New("coordination: not connected to ZooKeeper")
	// ErrNotOwner: the store belongs to another worker by rendezvous.
	ErrNotOwner = errors.New("coordination: the store belongs to another worker")
	// ErrHeldElsewhere: the store is ours, but another worker still holds
	// its lease (it has not noticed yet, or its session has not expired).
	ErrHeldElsewhere = errors.New("coordination: another worker holds the store's lease")
	// ErrWaitedFor: a one-shot command waits for the store, or runs it.
	ErrWaitedFor = errors.New("coordination: a one-shot command waits for the store")
)

// Coordinator is one worker's membership and leases.
type Coordinator struct {
	o    Options
	log  *slog.Logger
	conn *zk.Conn
	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup

	mu sync.Mutex
	// session is the ZooKeeper session this worker registered in (0: not
	// registered); leases belong to it.
	session int64
	workers []string // live workers, sorted
	// waitedFor are the stores one-shot commands wait for (ROOT/waiting).
	waitedFor map[string]bool
	held      map[string]*lease
	// releasing are the stores whose lease node is being deleted: not to
	// be taken again until it is gone.
	releasing map[string]bool
	// downSince is when the connection was lost (zero while connected).
	downSince time.Time
	reason    string // why not ready, for /readyz
}

type lease struct {
	running int // jobs of the store going now
	ctx     context.Context
	cancel  context.CancelFunc
}

// Start connects to ZooKeeper and registers the worker in the background:
// Begin refuses until the worker is registered.
func Start(o Options) (*Coordinator, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	c := &Coordinator{o: o, log: o.Log.With("worker", o.Worker), wake: make(chan struct{}, 1), done: make(chan struct{}),
		held: map[string]*lease{}, releasing: map[string]bool{}, reason: "connecting to ZooKeeper"}
	conn, _, err := zk.Connect(o.Servers, o.SessionTimeout, zk.WithLogger(zkLog{c.log}), zk.WithLogInfo(false),
		zk.WithEventCallback(c.event))
	if err != nil {
		return nil, fmt.Errorf("coordination: %w", err)
	}
	c.conn = conn
	c.wg.Add(1)
	go c.loop()
	return c, nil
}

// Worker is this worker's name.
func (c *Coordinator) Worker() string { return c.o.Worker }

// Close gives up every lease and the registration at once (closing the
// session deletes its ephemeral nodes) and stops.
func (c *Coordinator) Close() {
	close(c.done)
	c.conn.Close()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropAll()
}

// event hears the client's session events (on its own goroutine: quick).
func (c *Coordinator) event(ev zk.Event) {
	if ev.Type != zk.EventSession {
		return
	}
	select {
	case <-c.done:
		return // Close: the disconnection is ours
	default:
	}
	c.mu.Lock()
	switch ev.State {
	case zk.StateDisconnected, zk.StateConnecting:
		if c.downSince.IsZero() && c.session != 0 {
			c.downSince = time.Now()
			c.reason = "ZooKeeper connection lost"
			c.log.Warn("ZooKeeper connection lost: no new runs start until it returns; running ones may finish")
		}
	case zk.StateExpired:
		c.reason = "ZooKeeper session expired; registering again"
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// loop keeps the worker registered and its view of the workers current.
func (c *Coordinator) loop() {
	defer c.wg.Done()
	tick := time.NewTicker(max(c.o.SessionTimeout/12, 100*time.Millisecond))
	defer tick.Stop()
	var workers, waiting <-chan zk.Event
	stale := true // the view needs reading again (and new watches set)
	for {
		if stale && c.conn.State() == zk.StateHasSession {
			if w, err := c.sync(); err != nil {
				c.log.Debug("coordination: ZooKeeper call failed; trying again", "error", err)
			} else if waiting, err = c.syncWaiting(); err != nil {
				c.log.Debug("coordination: ZooKeeper call failed; trying again", "error", err)
			} else {
				workers, stale = w, false
			}
		}
		c.expire()
		select {
		case <-c.done:
			return
		case <-workers:
			workers, stale = nil, true
		case <-waiting:
			waiting, stale = nil, true
		case <-c.wake:
			stale = true
		case <-tick.C:
		}
	}
}

// sync registers the worker in the current session if it is not, and
// reads the live workers with a watch on them.
func (c *Coordinator) sync() (<-chan zk.Event, error) {
	sid := c.conn.SessionID()
	c.mu.Lock()
	registered := c.session == sid
	old := c.session
	c.mu.Unlock()
	if !registered {
		if old != 0 {
			c.log.Warn("ZooKeeper session expired: leases lost; registering again")
			c.mu.Lock()
			c.dropAll()
			c.session = 0
			c.mu.Unlock()
		}
		if err := c.register(sid); err != nil {
			return nil, err
		}
	}
	names, _, watch, err := c.conn.ChildrenW(c.path("workers"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session != sid {
		return watch, nil
	}
	if !c.downSince.IsZero() {
		c.log.Info("ZooKeeper connection back: runs start again")
	}
	c.downSince, c.reason = time.Time{}, ""
	if !slices.Equal(names, c.workers) {
		c.log.Info("workers changed", "workers", len(names), "names", names)
		c.workers = names
		c.rebalance()
	}
	return watch, nil
}

// syncWaiting reads the stores one-shot commands wait for, with a watch on
// them, and gives up their idle leases.
func (c *Coordinator) syncWaiting() (<-chan zk.Event, error) {
	names, _, watch, err := c.conn.ChildrenW(c.path("waiting"))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waitedFor = map[string]bool{}
	for _, n := range names {
		c.waitedFor[waiterStore(n)] = true
	}
	c.rebalance()
	return watch, nil
}

// waiting lists the stores one-shot commands wait for, sorted.
func (c *Coordinator) waiting() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Sorted(maps.Keys(c.waitedFor))
}

// waiterStore is the store a waiter node STORE-N is for.
func waiterStore(node string) string {
	if i := strings.LastIndexByte(node, '-'); i >= 0 {
		return node[:i]
	}
	return node
}

// register creates ROOT/workers/NAME in session sid.
func (c *Coordinator) register(sid int64) error {
	if err := layOut(c.conn, c.o.Root); err != nil {
		return err
	}
	me := c.path("workers", c.o.Worker)
	_, err := c.conn.Create(me, []byte(c.o.Worker), zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	if errors.Is(err, zk.ErrNodeExists) {
		// Ours from this session (a retry), or another process's: the same
		// name restarted before its old session expired, or a duplicate.
		_, st, gerr := c.conn.Get(me)
		if gerr != nil {
			return gerr
		}
		if st.EphemeralOwner != sid {
			c.mu.Lock()
			c.reason = "another session holds worker name " + c.o.Worker + "; waiting for it to expire"
			c.mu.Unlock()
			c.log.Warn("worker name registered by another session; waiting for it to expire (a restart of this worker, or another worker with the same name)")
			return errors.New("worker name taken")
		}
		err = nil
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.session = sid
	c.mu.Unlock()
	c.log.Info("registered with ZooKeeper", "root", c.o.Root, "session_timeout", c.o.SessionTimeout.String())
	return nil
}

// ensure creates a persistent node unless it exists.
// layOut creates the folders under root that workers and one-shot
// commands use, whichever of them comes first: one list, so neither finds
// a folder missing that the other would have made.
func layOut(conn *zk.Conn, root string) error {
	for _, p := range []string{root, node(root, "workers"), node(root, "leases"), node(root, "waiting")} {
		if _, err := conn.Create(p, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("create %s: %w", p, err)
		}
	}
	return nil
}

// expire drops the leases once the connection has been lost for so long
// that ZooKeeper may have ended the session, and another worker may hold
// the stores: their runs are cancelled (a cancelled run saves no cursor).
// The client notices a silent connection only after two thirds of the
// session timeout (its read timeout), so the session may end a third of
// the timeout after the loss is noticed.
func (c *Coordinator) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.downSince.IsZero() || time.Since(c.downSince) < c.o.SessionTimeout/3 || len(c.held) == 0 {
		return
	}
	c.log.Warn("ZooKeeper unreachable for so long that the session may be over: leases given up, their running jobs cancelled", "leases", len(c.held))
	c.dropAll()
}

// dropAll forgets every lease (c.mu held).
func (c *Coordinator) dropAll() {
	for store, l := range c.held {
		l.cancel()
		delete(c.held, store)
		c.notify(store, false)
	}
}

func (c *Coordinator) notify(store string, held bool) {
	if c.o.OnLease != nil {
		c.o.OnLease(store, held)
	}
}

// rebalance gives up the leases of idle stores this worker no longer owns
// (c.mu held); a store whose job is going is given up when it ends.
func (c *Coordinator) rebalance() {
	for store, l := range c.held {
		if l.running == 0 && !c.owns(store) {
			c.release(store, l)
		}
	}
}

// release gives up a lease (c.mu held) and deletes its node in the
// background, off the lock. A failure leaves it to the session's end.
func (c *Coordinator) release(store string, l *lease) {
	l.cancel()
	delete(c.held, store)
	c.notify(store, false)
	c.releasing[store] = true
	sid := c.session
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		p := c.path("leases", store)
		// Only the node of this session: another worker's lease of the
		// same store is never deleted.
		if _, st, err := c.conn.Get(p); err == nil && st.EphemeralOwner == sid {
			if err := c.conn.Delete(p, st.Version); err != nil && !errors.Is(err, zk.ErrNoNode) {
				c.log.Debug("coordination: releasing a lease failed; it ends with the session", "store", store, "error", err)
			}
		}
		c.mu.Lock()
		delete(c.releasing, store)
		c.mu.Unlock()
		c.log.Debug("lease released", "store", store)
	}()
}

// Ready says whether the worker can start runs, and if not, why (short,
// nothing secret: for /readyz).
func (c *Coordinator) Ready() (bool, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readyLocked()
}

// Begin is asked before a job of store starts: when this worker owns the
// store and holds (or now takes) its lease, it returns a context for the
// run, cancelled if the lease is lost, and done, to call when the run
// ends. Otherwise it returns ErrNotReady, ErrNotOwner, ErrHeldElsewhere or
// ZooKeeper's error: skip this firing.
func (c *Coordinator) Begin(ctx context.Context, store string) (context.Context, func(), error) {
	c.mu.Lock()
	if ok, _ := c.readyLocked(); !ok {
		c.mu.Unlock()
		return nil, nil, ErrNotReady
	}
	if !c.owns(store) {
		if l := c.held[store]; l != nil && l.running == 0 {
			c.release(store, l)
		}
		waited := c.waitedFor[store]
		c.mu.Unlock()
		if waited {
			return nil, nil, ErrWaitedFor
		}
		return nil, nil, ErrNotOwner
	}
	sid := c.session
	l := c.held[store]
	releasing := c.releasing[store]
	c.mu.Unlock()
	if releasing {
		return nil, nil, ErrHeldElsewhere
	}
	if l == nil {
		if err := c.take(store, sid); err != nil {
			return nil, nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	l = c.held[store]
	if l == nil || c.session != sid {
		return nil, nil, ErrNotReady // the session ended meanwhile
	}
	l.running++
	runCtx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(l.ctx, cancel)
	var once sync.Once
	return runCtx, func() {
		once.Do(func() {
			stop()
			cancel()
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.held[store] != l {
				return // lost meanwhile
			}
			l.running--
			if l.running == 0 && !c.owns(store) {
				c.release(store, l)
			}
		})
	}, nil
}

// readyLocked is Ready with c.mu held.
func (c *Coordinator) readyLocked() (bool, string) {
	if c.session != 0 && c.session == c.conn.SessionID() && c.conn.State() == zk.StateHasSession {
		return true, ""
	}
	if c.reason == "" {
		return false, "not connected to ZooKeeper"
	}
	return false, c.reason
}

// take creates the store's lease in session sid, or finds it already ours.
func (c *Coordinator) take(store string, sid int64) error {
	p := c.path("leases", store)
	_, err := c.conn.Create(p, []byte(c.o.Worker), zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	if errors.Is(err, zk.ErrNodeExists) {
		_, st, gerr := c.conn.Get(p)
		switch {
		case errors.Is(gerr, zk.ErrNoNode):
			return ErrHeldElsewhere // just released: the next firing takes it
		case gerr != nil:
			return gerr
		case st.EphemeralOwner != sid:
			return ErrHeldElsewhere
		}
		err = nil // ours: another job of the store took it, or a session that came back
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session != sid || c.held[store] != nil {
		return nil
	}
	l := &lease{}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	c.held[store] = l
	c.notify(store, true)
	c.log.Debug("lease taken", "store", store)
	return nil
}

// Held lists the stores whose lease this worker holds, sorted.
func (c *Coordinator) Held() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Sorted(maps.Keys(c.held))
}

// Workers lists the live workers as this worker last saw them.
func (c *Coordinator) Workers() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.workers)
}

// Retain gives up the idle leases of stores that keep says no to (stores
// that left the config with a reload).
func (c *Coordinator) Retain(keep func(store string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for store, l := range c.held {
		if l.running == 0 && !keep(store) {
			c.release(store, l)
		}
	}
}

// owns tells whether store is this worker's by rendezvous over the live
// workers (c.mu held), and no one-shot command waits for it. Until the
// watch has shown this worker among them, it counts itself in.
func (c *Coordinator) owns(store string) bool {
	if c.waitedFor[store] {
		return false
	}
	ws := c.workers
	if !slices.Contains(ws, c.o.Worker) {
		ws = append(slices.Clone(ws), c.o.Worker)
	}
	return Owner(store, ws) == c.o.Worker
}

// Owner is the worker a store belongs to by rendezvous hashing: the one of
// the highest weight(worker, store). Every worker computes the same answer
// from the same list, and removing a worker moves only its own stores.
func Owner(store string, workers []string) string {
	best, bestW := "", uint64(0)
	for _, w := range workers {
		if x := weight(w, store); best == "" || x > bestW || (x == bestW && w < best) {
			best, bestW = w, x
		}
	}
	return best
}

// weight is a 64-bit hash of the pair, FNV-1a with a SplitMix64 finish
// so similar names still spread evenly.
func weight(worker, store string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(worker))
	h.Write([]byte{0})
	h.Write([]byte(store))
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (c *Coordinator) path(parts ...string) string { return node(c.o.Root, parts...) }

// node is the path of a node under root.
func node(root string, parts ...string) string {
	return path.Join(append([]string{root}, parts...)...)
}

// zkLog sends the client's own messages to the debug log.
type zkLog struct{ log *slog.Logger }

func (l zkLog) Printf(format string, args ...any) {
	l.log.Debug("zookeeper: " + fmt.Sprintf(format, args...))
}
