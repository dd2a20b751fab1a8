package pipeline

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/notify"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/people"
)

// Notification states in the notifications table.
const (
	noteQueued = "queued" // the order is loaded; its message waits
	noteSent   = "sent"   // the receiver confirmed it
	noteFailed = "failed" // the last pass could not send it; the next one tries again
	noteGaveUp = "gave_up"
)

// noteGiveUpAfter is how many sends a message gets over all passes.
const noteGiveUpAfter = 30

// Notifier sends the messages about new orders in the background, after
// the order cycle that loaded them: a slow or failing receiver never holds
// up or fails a load. What is to be sent is kept in the notifications table
// (queued when the order's rows are in, sent once the receiver confirmed),
// so a message survives restarts and goes out once.
type Notifier struct {
	// Retry is how one pass repeats a failed send (notify.Retry defaults).
	Retry notify.Retry
	// Client makes the requests; default: a 15s timeout per send.
	Client *http.Client
	// Log hears sends and failures; default slog.Default().
	Log *slog.Logger

	mu    sync.Mutex
	busy  map[string]bool // store key → a pass is running
	again map[string]bool // store key → new work came during the pass
	wg    sync.WaitGroup
}

// defaultNotifier serves every Runner without its own, so runners made
// one after another in a process share the sends in flight.
var defaultNotifier = &Notifier{}

// Notifier is the notifier the runner's order cycles use; wait on it before
// the process exits so messages in flight go out (those that do not stay
// queued for the next cycle).
func (r *Runner) Notifier() *Notifier {
	if r.Notify != nil {
		return r.Notify
	}
	return defaultNotifier
}

// Wait blocks until no pass is running or ctx ends.
func (n *Notifier) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Quiet blocks until no delivery pass of the store runs or ctx ends: a
// worker gives up a store's lease only then, so the next holder's pass
// never sends what this one is sending.
func (n *Notifier) Quiet(ctx context.Context, st config.Store) {
	key := noteKey(st)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		n.mu.Lock()
		busy := n.busy[key]
		n.mu.Unlock()
		if !busy {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (n *Notifier) logger() *slog.Logger {
	if n.Log != nil {
		return n.Log
	}
	return slog.Default()
}

// kick starts a delivery pass for the store unless one is running; a
// running pass makes one more round when it ends.
func (n *Notifier) kick(wh *clickhouse.Warehouse, st config.Store) {
	key := noteKey(st)
	n.mu.Lock()
	if n.busy[key] {
		n.again[key] = true
		n.mu.Unlock()
		return
	}
	if n.busy == nil {
		n.busy, n.again = map[string]bool{}, map[string]bool{}
	}
	n.busy[key] = true
	n.wg.Add(1)
	n.mu.Unlock()
	go func() {
		defer n.wg.Done()
		for {
			n.deliver(context.Background(), wh, st)
			n.mu.Lock()
			if !n.again[key] {
				delete(n.busy, key)
				n.mu.Unlock()
				return
			}
			n.again[key] = false
			n.mu.Unlock()
		}
	}()
}

// noteKey is the store's key among the passes.
func noteKey(st config.Store) string { return st.Marketplace + "/" + st.ID }

// channel is one configured way to tell about an order.
type channel struct {
	sender notify.Sender
	tmpl   string
}

// channels builds the store's senders. Secrets are read here, each pass, so
// a rotated token is picked up without a restart.
func (n *Notifier) channels(st config.Store) ([]channel, error) {
	var out []channel
	if t := st.Notify.Telegram; t.BotTokenEnv != "" || t.BotTokenFile != "" {
		token, err := st.BotToken()
		if err != nil {
			return nil, err
		}
		out = append(out, channel{&notify.Telegram{APIURL: t.APIURL, Token: token, ChatID: t.ChatID, Client: n.Client}, t.Template})
	}
	if w := st.Notify.Webhook; w.URL != "" || w.URLEnv != "" {
		addr, err := st.WebhookURL()
		if err != nil {
			return nil, err
		}
		out = append(out, channel{&notify.Webhook{URL: addr, Client: n.Client}, w.Template})
	}
	return out, nil
}

// deliver sends every queued or failed message of the store, one at a
// time (a chat takes about one message a second), and records each outcome.
func (n *Notifier) deliver(ctx context.Context, wh *clickhouse.Warehouse, st config.Store) {
	log := n.logger().With("store", st.ID, "marketplace", st.Marketplace)
	chans, err := n.channels(st)
	if err != nil {
		log.Error("notifications not sent", "error", err)
		return
	}
	open, err := wh.OpenNotes(ctx, st.Marketplace, st.ID, time.Now().UTC().Add(-2*st.Notify.Age().Duration), noteQueued, noteFailed)
	if err != nil {
		log.Error("reading queued notifications failed", "error", err)
		return
	}
	for _, c := range chans {
		tmpl, err := notify.Parse(c.tmpl)
		if err != nil {
			log.Error("notification template unusable", "channel", c.sender.Channel(), "error", err)
			continue
		}
		for _, note := range open {
			if note.Channel != c.sender.Channel() {
				continue
			}
			n.send(ctx, wh, log, c.sender, tmpl, note)
		}
	}
}

// send makes one message's delivery pass and records how it went.
func (n *Notifier) send(ctx context.Context, wh *clickhouse.Warehouse, log *slog.Logger, s notify.Sender, tmpl *template.Template, note noteRow) {
	log = log.With("order", note.OrderID, "channel", note.Channel)
	var o notify.Order
	err := json.Unmarshal([]byte(note.Payload), &o)
	var text string
	if err == nil {
		text, err = notify.Render(tmpl, o)
	}
	attempts := 0
	if err == nil {
		attempts, err = notify.Deliver(ctx, s, notify.Message{Text: text, Order: o}, n.Retry)
	}
	note.Attempt += uint32(attempts)
	note.State, note.Error, note.At = noteSent, "", time.Time{}
	switch {
	case err == nil:
		log.Info("new order announced", "attempts", attempts)
	case note.Attempt >= noteGiveUpAfter:
		note.State, note.Error = noteGaveUp, err.Error()
		log.Error("giving up announcing the order", "attempts", note.Attempt, "error", err)
	default:
		note.State, note.Error = noteFailed, err.Error()
		log.Warn("announcing the order failed; the next cycle tries again", "attempts", note.Attempt, "error", err)
	}
	// The outcome is written even when the caller has gone: a message sent
	// but not recorded would go out again.
	if rerr := wh.RecordNotes(context.WithoutCancel(ctx), note); rerr != nil {
		log.Error("recording the notification failed; it may be sent again", "error", rerr)
	}
}

// noteRow is one row of the notifications table.
type noteRow = clickhouse.Note

// orderNotes is an order cycle's side of notifications: the new orders it
// classified, queued once their rows are in the warehouse.
type orderNotes struct {
	n     *Notifier
	wh    *clickhouse.Warehouse
	store config.Store
	now   time.Time
	log   *slog.Logger
	chans []string                // channel names the store uses
	found map[string]notify.Order // new, young enough, not yet loaded
}

// notesFor is the cycle's notifications, or nil when the store has none
// (or the cycle is a backfill: history is not news).
func (j *orderJob) notesFor(backfill bool) *orderNotes {
	if backfill || !j.store.Notify.Enabled() {
		return nil
	}
	var chans []string
	if t := j.store.Notify.Telegram; t.BotTokenEnv != "" || t.BotTokenFile != "" {
		chans = append(chans, (&notify.Telegram{}).Channel())
	}
	if w := j.store.Notify.Webhook; w.URL != "" || w.URLEnv != "" {
		chans = append(chans, (&notify.Webhook{}).Channel())
	}
	return &orderNotes{n: j.notifier, wh: j.wh, store: j.store, now: j.now, log: j.log, chans: chans, found: map[string]notify.Order{}}
}

// add remembers a new order, unless it is too old to be news.
func (o *orderNotes) add(c *canon.Order) {
	if o == nil || c.CreatedAt.Before(o.now.Add(-o.store.Notify.Age().Duration)) {
		return
	}
	buyer := strings.Join(strings.Fields(c.BuyerLastName+" "+c.BuyerFirstName+" "+c.BuyerMiddleName), " ")
	o.found[c.ExternalID] = notify.Order{ID: c.ExternalID, Store: o.store.ID, Marketplace: o.store.Marketplace,
		Amount: c.Amount, Currency: c.Currency, Buyer: buyer, Phone: c.BuyerPhone, Viber: people.ViberLink(c.BuyerPhone),
		Items: len(c.Items), CreatedAt: c.CreatedAt.UTC()}
}

// take hands over the new orders among ids, to be queued with their rows;
// each is handed over once. Call it from the cycle's goroutine.
func (o *orderNotes) take(ids []string) []notify.Order {
	if o == nil {
		return nil
	}
	var fresh []notify.Order
	for _, id := range ids {
		if n, ok := o.found[id]; ok {
			fresh = append(fresh, n)
			delete(o.found, id)
		}
	}
	return fresh
}

// queue writes the messages of orders through into, which carries their
// rows too: the messages land in the same flush, ahead of the order rows,
// so no order is ever in without its message. A failure is logged, never
// returned: the rows still load. Safe from any goroutine.
func (o *orderNotes) queue(ctx context.Context, into *clickhouse.Warehouse, orders []notify.Order) {
	if o == nil || len(orders) == 0 {
		return
	}
	if err := o.queueNow(ctx, into, orders); err != nil {
		o.log.Error("queueing notifications failed; those orders will not be announced", "orders", len(orders), "error", err)
	}
}

func (o *orderNotes) queueNow(ctx context.Context, into *clickhouse.Warehouse, orders []notify.Order) error {
	ids := make([]string, len(orders))
	for i, n := range orders {
		ids[i] = n.ID
	}
	// An order announced before (a reload after its rows were lost) is not
	// announced again.
	known, err := o.wh.NotedOrders(ctx, o.store.Marketplace, o.store.ID, ids)
	if err != nil {
		return err
	}
	var notes []noteRow
	for _, n := range orders {
		if known[n.ID] {
			continue
		}
		payload, err := json.Marshal(n)
		if err != nil {
			return err
		}
		for _, ch := range o.chans {
			notes = append(notes, noteRow{Marketplace: o.store.Marketplace, Store: o.store.ID, OrderID: n.ID,
				Channel: ch, State: noteQueued, Payload: string(payload)})
		}
	}
	return into.RecordNotes(ctx, notes...)
}

// done starts the background delivery of what is queued, this cycle's and
// any earlier cycle's that did not go out.
func (o *orderNotes) done() {
	if o == nil {
		return
	}
	o.n.kick(o.wh, o.store)
}
