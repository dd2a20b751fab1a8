package horoshop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/connectors"
	conn "github.com/kramar/kramar/pipeline/connectors/horoshop"
	hssb "github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	transform "github.com/kramar/kramar/transforms/horoshop"
)

// shop is a Horoshop sandbox shop and the registered connector's pusher.
type shop struct {
	sb     *hssb.Sandbox
	store  string
	pusher marketplace.Pusher
	mark   int // recorder position after which writes are counted
}

func newShop(t *testing.T, products int) *shop {
	t.Helper()
	sb := hssb.New(hssb.Options{Clock: kit.NewClock(time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC)), Seed: 11})
	s := &shop{sb: sb, store: sb.AddStore("api", "pw-S3CR3T", 0, products)}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	c, ok := connectors.Lookup(transform.Marketplace)
	if !ok || c.Pusher == nil {
		t.Fatal("the horoshop connector registers no pusher")
	}
	s.pusher = c.Pusher(source.Config{Store: "hs-push", BaseURL: srv.URL, Username: "api", Password: "pw-S3CR3T",
		HTTP: httpx.Options{Timeout: 300 * time.Millisecond, MaxAttempts: 5, InitialBackoff: time.Millisecond}})
	return s
}

// order places a new order in status 1 without a waybill.
func (s *shop) order() string {
	id := s.sb.AddOrder(s.store, func(o *wire.Order) {
		o.StatStatus = 1
		if o.DeliveryData != nil {
			o.DeliveryData.TNNumber = nil
		}
	})
	return strconv.FormatInt(id, 10)
}

// writes returns the bodies of the write calls to path since the last call.
func (s *shop) writes(path string) []string {
	reqs := s.sb.Recorder().Requests()
	var out []string
	for _, r := range reqs[s.mark:] {
		if r.Path == path {
			out = append(out, string(r.Body))
		}
	}
	s.mark = len(reqs)
	return out
}

// truth is the order as the sandbox holds it.
func (s *shop) truth(t *testing.T, id string) wire.Order {
	n, _ := strconv.ParseInt(id, 10, 64)
	o, ok := s.sb.Order(s.store, n)
	if !ok {
		t.Fatalf("order %s is gone", id)
	}
	return o
}

// push runs a change the way pipeline/push does. Horoshop plans at most
// one action: it is checked against a fresh State and applied only when
// the order does not show it yet.
func push(ctx context.Context, p marketplace.Pusher, c marketplace.Change) error {
	actions, err := p.Plan(c)
	if err != nil || len(actions) == 0 {
		return err
	}
	if len(actions) > 1 {
		return fmt.Errorf("%d actions planned for one orders/update", len(actions))
	}
	a := actions[0]
	st, err := p.State(ctx, a.OrderID)
	switch {
	case err != nil:
		return err
	case marketplace.Satisfied(st, a):
		return nil
	}
	if err := marketplace.CheckTransition(st, a); err != nil {
		return err
	}
	_, err = p.Apply(ctx, a, st)
	return err
}

// oneUpdate asserts exactly one orders/update whose only order is want.
func oneUpdate(t *testing.T, bodies []string, want map[string]any) {
	t.Helper()
	if len(bodies) != 1 {
		t.Fatalf("%d orders/update calls, want 1: %v", len(bodies), bodies)
	}
	var req struct{ Orders []map[string]any }
	if err := json.Unmarshal([]byte(bodies[0]), &req); err != nil || len(req.Orders) != 1 {
		t.Fatalf("orders/update body %s", bodies[0])
	}
	if got, exp := fmt.Sprint(req.Orders[0]), fmt.Sprint(want); got != exp {
		t.Fatalf("orders/update sent %s, want %s", got, exp)
	}
}

func TestPushStatusAndWaybillInOneUpdate(t *testing.T) {
	s := newShop(t, 5)
	ctx := context.Background()
	id := s.order()
	n, _ := strconv.Atoi(id)
	ch := marketplace.Change{OrderID: id, Status: "6", TTN: "2045 0000 0012 34", Carrier: "nova_poshta"}
	actions, err := s.pusher.Plan(ch)
	if err != nil || len(actions) != 1 || actions[0].Kind != "status+ttn" {
		t.Fatalf("plan: %+v %v", actions, err)
	}
	s.writes(wire.PathOrdersUpdate)
	if err := push(ctx, s.pusher, ch); err != nil {
		t.Fatal(err)
	}
	oneUpdate(t, s.writes(wire.PathOrdersUpdate), map[string]any{"order_id": float64(n), "status": float64(6), "tracking_code": "2045 0000 0012 34"})
	if o := s.truth(t, id); o.StatStatus != 6 || o.DeliveryData == nil || o.DeliveryData.TNNumber == nil || *o.DeliveryData.TNNumber != "2045 0000 0012 34" {
		t.Fatalf("order after the push: %+v", o)
	}
	st, err := s.pusher.State(ctx, id)
	if err != nil || st.Status != "6" || !marketplace.SameTTN(st.TTN, "20450000001234") || st.Allowed != nil {
		t.Fatalf("state: %+v %v", st, err)
	}
	// Pushed again: already satisfied, nothing is sent.
	if err := push(ctx, s.pusher, ch); err != nil {
		t.Fatal(err)
	}
	if w := s.writes(wire.PathOrdersUpdate); len(w) != 0 {
		t.Fatalf("a satisfied change was sent again: %v", w)
	}

	// Status alone and waybill alone are one call each, without the other key.
	other := s.order()
	m, _ := strconv.Atoi(other)
	if err := push(ctx, s.pusher, marketplace.Change{OrderID: other, Status: "2"}); err != nil {
		t.Fatal(err)
	}
	oneUpdate(t, s.writes(wire.PathOrdersUpdate), map[string]any{"order_id": float64(m), "status": float64(2)})
	if err := push(ctx, s.pusher, marketplace.Change{OrderID: other, TTN: "0500123456789", Carrier: "ukrposhta"}); err != nil {
		t.Fatal(err)
	}
	oneUpdate(t, s.writes(wire.PathOrdersUpdate), map[string]any{"order_id": float64(m), "tracking_code": "0500123456789"})
	if o := s.truth(t, other); o.StatStatus != 2 || *o.DeliveryData.TNNumber != "0500123456789" {
		t.Fatalf("order after two pushes: %+v", o)
	}
}

func TestPushRefusals(t *testing.T) {
	s := newShop(t, 5)
	ctx := context.Background()
	id := s.order()
	s.writes(wire.PathOrdersUpdate)

	// A status id the shop does not have: the log's ERROR is a rejection.
	err := push(ctx, s.pusher, marketplace.Change{OrderID: id, Status: "5"})
	if reason, ok := marketplace.IsRejected(err); !ok || !strings.Contains(reason, "status is not defined") {
		t.Fatalf("unknown status id: %v", err)
	}
	if w := s.writes(wire.PathOrdersUpdate); len(w) != 1 {
		t.Fatalf("%d writes for an unknown status id, want 1", len(w))
	}
	if o := s.truth(t, id); o.StatStatus != 1 {
		t.Fatalf("a refused status changed the order: %d", o.StatStatus)
	}

	// Not a status id, not an order number: refused before any request.
	for _, c := range []marketplace.Change{{OrderID: id, Status: "shipped"}, {OrderID: "abc", Status: "2"}} {
		if _, ok := marketplace.IsRejected(push(ctx, s.pusher, c)); !ok {
			t.Fatalf("%+v was not rejected", c)
		}
	}
	if _, ok := marketplace.IsRejected(push(ctx, s.pusher, marketplace.Change{OrderID: "999999", Status: "2"})); !ok {
		t.Fatal("a missing order was not rejected")
	}

	// A cancelled order takes no edit; the refusal costs no request.
	if err := push(ctx, s.pusher, marketplace.Change{OrderID: id, Status: conn.StatusCancelled}); err != nil {
		t.Fatal(err)
	}
	s.writes(wire.PathOrdersUpdate)
	if _, ok := marketplace.IsRejected(push(ctx, s.pusher, marketplace.Change{OrderID: id, TTN: "20450000009999"})); !ok {
		t.Fatal("a waybill for a cancelled order was not rejected")
	}
	if w := s.writes(wire.PathOrdersUpdate); len(w) != 0 {
		t.Fatalf("writes for a cancelled order: %v", w)
	}
}

func TestPushLostAnswerIsUncertainAndNotRepeated(t *testing.T) {
	s := newShop(t, 5)
	ctx := context.Background()
	id := s.order()
	a := marketplace.Action{Kind: "status", Change: marketplace.Change{OrderID: id, Status: "2"}}
	st, err := s.pusher.State(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s.writes(wire.PathOrdersUpdate)
	s.sb.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.AppliedTimeout}, MaxWait: 5 * time.Second})
	_, err = s.pusher.Apply(ctx, a, st)
	s.sb.Faults().Set(kit.FaultConfig{})
	if _, rejected := marketplace.IsRejected(err); err == nil || rejected || !httpx.Uncertain(err) {
		t.Fatalf("a lost answer must be an uncertain error: %v", err)
	}
	// The sandbox files the request once its handler gives up waiting.
	var w []kit.Request
	for deadline := time.Now().Add(2 * time.Second); len(w) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		w = s.sb.Recorder().Requests()[s.mark:]
	}
	if len(w) != 1 || w[0].Path != wire.PathOrdersUpdate || w[0].Handled != 200 {
		t.Fatalf("want one applied orders/update, got %+v", w)
	}
	// The engine reads the state again: the change landed, nothing to resend.
	st, err = s.pusher.State(ctx, id)
	if err != nil || !marketplace.Satisfied(st, a) {
		t.Fatalf("state after the lost answer: %+v %v", st, err)
	}
}

func TestPushStockThroughCatalogImport(t *testing.T) {
	s := newShop(t, 120)
	ctx := context.Background()
	sp, ok := s.pusher.(marketplace.StockPusher)
	if !ok || sp.StockBatch() != wire.ImportBatchMax {
		t.Fatalf("stock pusher: %v, batch %d", ok, sp.StockBatch())
	}
	products := s.sb.Products(s.store)
	var items []marketplace.StockItem
	for i, p := range products[:sp.StockBatch()-1] {
		items = append(items, marketplace.StockItem{ExternalID: p.Article, Quantity: uint32(i % 3)})
	}
	items = append(items, marketplace.StockItem{ExternalID: "NO-SUCH-ARTICLE", Quantity: 4})
	s.writes(wire.PathCatalogImport)
	res, err := sp.PushStock(ctx, items)
	if err != nil || len(res) != len(items) {
		t.Fatalf("push: %d results, %v", len(res), err)
	}
	for i, r := range res {
		if r.ExternalID != items[i].ExternalID {
			t.Fatalf("result %d is for %s, want %s", i, r.ExternalID, items[i].ExternalID)
		}
		_, rejected := marketplace.IsRejected(r.Err)
		if want := items[i].ExternalID == "NO-SUCH-ARTICLE"; rejected != want || !want && r.Err != nil {
			t.Fatalf("item %s: %v", r.ExternalID, r.Err)
		}
	}
	bodies := s.writes(wire.PathCatalogImport)
	var req wire.ImportRequest
	if len(bodies) != 1 || json.Unmarshal([]byte(bodies[0]), &req) != nil || len(req.Products) != len(items) {
		t.Fatalf("want one catalog/import of %d products: %v", len(items), bodies)
	}
	if p := req.Products[1]; p.Article != items[1].ExternalID || p.Presence != wire.PresenceInStock || p.Quantity == nil || *p.Quantity != 1 {
		t.Fatalf("sent %+v", p)
	}
	after := s.sb.Products(s.store)
	for i, it := range items[:len(items)-1] {
		want := wire.PresenceOutOfStock
		if it.Quantity > 0 {
			want = wire.PresenceInStock
		}
		if p := after[i]; string(p.Presence) != want || p.Quantity.String() != strconv.Itoa(int(it.Quantity)) {
			t.Fatalf("product %s after the push: %s / %s, want %s / %d", p.Article, p.Presence, p.Quantity, want, it.Quantity)
		}
	}
	// More than a batch is the caller's to split: one call, refused whole.
	if _, err := sp.PushStock(ctx, append(items, items[0])); err == nil {
		t.Fatal("a batch over the limit was sent")
	}
	if w := s.writes(wire.PathCatalogImport); len(w) != 0 {
		t.Fatalf("an over-limit batch reached the shop: %d calls", len(w))
	}
}
