package epicentr_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/connectors"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	transform "github.com/kramar/kramar/transforms/epicentr"
)

// company is an Epicentr sandbox store and the registered connector's pusher.
type company struct {
	sb     *epsb.Sandbox
	store  string
	pusher marketplace.Pusher
	seen   int // recorder position up to which writes were taken
}

func newCompany(t *testing.T) *company {
	t.Helper()
	sb := epsb.New(epsb.Options{Clock: kit.NewClock(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)), Seed: 9})
	c := &company{sb: sb, store: sb.AddStore("tok-push-S3CR3T", 0)}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	conn, ok := connectors.Lookup(transform.Marketplace)
	if !ok || conn.Pusher == nil {
		t.Fatal("the epicentr connector registers no pusher")
	}
	c.pusher = conn.Pusher(source.Config{Store: "ep-push", BaseURL: srv.URL, Token: "tok-push-S3CR3T",
		HTTP: httpx.Options{Timeout: 300 * time.Millisecond, MaxAttempts: 5, InitialBackoff: time.Millisecond}})
	return c
}

// order creates an order in status with a Nova Poshta parcel and no waybill.
func (c *company) order(t *testing.T, status string) string {
	t.Helper()
	id := c.sb.AddOrder(c.store, func(o *wire.Order) {
		o.StatusCode = wire.StatusNew
		if o.Address == nil {
			o.Address = &wire.Address{}
		}
		o.Address.Shipment = &wire.Shipment{Provider: wire.ProviderNovaPoshta, PaymentProvider: wire.PayOnDelivery, PaymentStatus: wire.PaymentNone}
	})
	if status != wire.StatusNew {
		if err := c.sb.SetStatus(c.store, id, status); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// writes lists the write calls since the last look as "METHOD path body".
func (c *company) writes() []string {
	reqs := c.sb.Recorder().Requests()
	var out []string
	for _, r := range reqs[c.seen:] {
		if r.Method != "GET" {
			out = append(out, strings.TrimSpace(r.Method+" "+r.Path+" "+string(r.Body)))
		}
	}
	c.seen = len(reqs)
	return out
}

// apply is what pipeline/push does with each planned action: read the
// state, skip a satisfied action, refuse a move Epicentr does not allow,
// send the rest.
func (c *company) apply(ctx context.Context, ch marketplace.Change) error {
	actions, err := c.pusher.Plan(ch)
	for i := 0; err == nil && i < len(actions); i++ {
		var st marketplace.State
		if st, err = c.pusher.State(ctx, ch.OrderID); err != nil || marketplace.Satisfied(st, actions[i]) {
			continue
		}
		if err = marketplace.CheckTransition(st, actions[i]); err == nil {
			_, err = c.pusher.Apply(ctx, actions[i], st)
		}
	}
	return err
}

func wantWrites(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPushWaybillThenSent(t *testing.T) {
	c := newCompany(t)
	ctx := context.Background()
	id := c.order(t, wire.StatusConfirmed)
	ch := marketplace.Change{OrderID: id, Status: wire.StatusSent, TTN: "20450000000001", Carrier: "nova_poshta"}
	actions, err := c.pusher.Plan(ch)
	if err != nil || len(actions) != 2 || actions[0].Kind != "ttn" || actions[0].Status != "" || actions[1].Kind != "status" || actions[1].TTN != "" {
		t.Fatalf("plan: %+v %v", actions, err)
	}
	st, err := c.pusher.State(ctx, id)
	if err != nil || st.Status != wire.StatusConfirmed || st.TTN != "" || fmt.Sprint(st.Allowed) != "[canceled]" {
		t.Fatalf("state before: %+v %v", st, err)
	}
	c.writes()
	if err := c.apply(ctx, ch); err != nil {
		t.Fatal(err)
	}
	wantWrites(t, c.writes(),
		`PATCH /v1/oms/orders/`+id+`/shipment-number {"number":"20450000000001"}`,
		`POST /v2/oms/orders/`+id+`/change-status/to/sent {}`)
	if o, _ := c.sb.Order(c.store, id); o.StatusCode != wire.StatusSent || o.Address.Shipment.Number != "20450000000001" {
		t.Fatalf("order after the push: %s %s", o.StatusCode, o.Address.Shipment.Number)
	}
	// Again: both actions are satisfied, nothing is sent.
	if err := c.apply(ctx, ch); err != nil {
		t.Fatal(err)
	}
	wantWrites(t, c.writes())

	other := c.order(t, wire.StatusNew)
	if err := c.apply(ctx, marketplace.Change{OrderID: other, Status: wire.StatusConfirmed}); err != nil {
		t.Fatal(err)
	}
	wantWrites(t, c.writes(), `POST /v2/oms/orders/`+other+`/change-status/to/confirmed {}`)
	if o, _ := c.sb.Order(c.store, other); o.StatusCode != wire.StatusConfirmed {
		t.Fatalf("order after confirm: %s", o.StatusCode)
	}
}

func TestPushCancelCarriesItsReason(t *testing.T) {
	c := newCompany(t)
	ctx := context.Background()
	id := c.order(t, wire.StatusNew)
	c.writes()
	if _, ok := marketplace.IsRejected(c.apply(ctx, marketplace.Change{OrderID: id, Status: wire.StatusCanceled})); !ok {
		t.Fatal("a cancel without a reason was not rejected")
	}
	wantWrites(t, c.writes())

	err := c.apply(ctx, marketplace.Change{OrderID: id, Status: wire.StatusCanceled, CancelReason: "because"})
	if reason, ok := marketplace.IsRejected(err); !ok || !strings.Contains(reason, "HTTP 400") {
		t.Fatalf("an unknown reason code: %v", err)
	}
	c.writes()

	ch := marketplace.Change{OrderID: id, Status: wire.StatusCanceled, CancelReason: "customer_failed_to_contact", CancelText: "не відповідає"}
	if err := c.apply(ctx, ch); err != nil {
		t.Fatal(err)
	}
	wantWrites(t, c.writes(), `POST /v2/oms/orders/`+id+`/change-status/to/canceled `+
		`{"reason_code":"customer_failed_to_contact","comment":"не відповідає","translationKey":"order.customer_cancel_reason.customer_failed_to_contact"}`)
	o, _ := c.sb.Order(c.store, id)
	if r, ok := c.sb.CancelReason(c.store, id); o.StatusCode != wire.StatusCanceled || !ok || r.ReasonCode != "customer_failed_to_contact" || r.Comment != "не відповідає" {
		t.Fatalf("after the cancel: %s %+v", o.StatusCode, r)
	}
}

func TestPushRefusedMoves(t *testing.T) {
	c := newCompany(t)
	ctx := context.Background()
	id := c.order(t, wire.StatusNew)
	c.writes()

	// new → sent is not among allowed-statuses: refused without a request.
	a := marketplace.Action{Kind: "status", Change: marketplace.Change{OrderID: id, Status: wire.StatusSent}}
	st, err := c.pusher.State(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if reason, ok := marketplace.IsRejected(marketplace.CheckTransition(st, a)); !ok || !strings.Contains(reason, "confirmed, canceled") {
		t.Fatalf("new → sent: %q", reason)
	}
	if _, ok := marketplace.IsRejected(c.apply(ctx, a.Change)); !ok {
		t.Fatal("new → sent was pushed")
	}
	wantWrites(t, c.writes())

	// Epicentr itself refuses a waybill in a wrong format: a 4xx is a rejection.
	err = c.apply(ctx, marketplace.Change{OrderID: id, TTN: "12345", Carrier: "nova_poshta"})
	if reason, ok := marketplace.IsRejected(err); !ok || !strings.Contains(reason, "Validation failed") {
		t.Fatalf("a bad waybill: %v", err)
	}
	if w := c.writes(); len(w) != 1 {
		t.Fatalf("want the one refused write, got %v", w)
	}
	if _, ok := marketplace.IsRejected(c.apply(ctx, marketplace.Change{OrderID: "no-such-order", Status: wire.StatusConfirmed})); !ok {
		t.Fatal("a missing order was not rejected")
	}

	// A lost answer is uncertain, not a refusal, and is not repeated.
	c.sb.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.ServerError}})
	_, err = c.pusher.Apply(ctx, marketplace.Action{Kind: "status", Change: marketplace.Change{OrderID: id, Status: wire.StatusConfirmed}}, st)
	c.sb.Faults().Set(kit.FaultConfig{})
	if _, rejected := marketplace.IsRejected(err); err == nil || rejected || !httpx.Uncertain(err) {
		t.Fatalf("a 5xx must leave the outcome unknown: %v", err)
	}
	if w := c.writes(); len(w) != 1 {
		t.Fatalf("a write was repeated after a 5xx: %v", w)
	}
}

func TestPushStockThroughOffers(t *testing.T) {
	c := newCompany(t)
	ctx := context.Background()
	sp, ok := c.pusher.(marketplace.StockPusher)
	if !ok || sp.StockBatch() != wire.MaxOfferBatch {
		t.Fatalf("stock pusher: %v", ok)
	}
	offers := c.sb.Offers(c.store)
	var items []marketplace.StockItem
	for i := 0; i < sp.StockBatch(); i++ {
		sku := fmt.Sprintf("NO-SUCH-%d", i)
		if i < len(offers) {
			sku = offers[i].SKU
		}
		items = append(items, marketplace.StockItem{ExternalID: sku, Quantity: uint32(i % 2)})
	}
	c.writes()
	res, err := sp.PushStock(ctx, items)
	if err != nil || len(res) != len(items) {
		t.Fatalf("push: %d results, %v", len(res), err)
	}
	for i, r := range res {
		reason, rejected := marketplace.IsRejected(r.Err)
		known := i < len(offers)
		if r.ExternalID != items[i].ExternalID || rejected == known || !known && !strings.Contains(reason, "forbidden") || known && r.Err != nil {
			t.Fatalf("item %d %s: %v", i, r.ExternalID, r.Err)
		}
	}
	w := c.writes()
	if len(w) != 1 || !strings.HasPrefix(w[0], "POST /v1/offers ") {
		t.Fatalf("want one POST /v1/offers, got %d writes", len(w))
	}
	var sent wire.OfferUpdateRequest
	if err := json.Unmarshal([]byte(strings.TrimPrefix(w[0], "POST /v1/offers ")), &sent); err != nil || len(sent.Items) != len(items) {
		t.Fatalf("body: %v", err)
	}
	if s := sent.Items[1]; s.SKU != offers[1].SKU || s.Availability != wire.InStock || s.Prices != nil || sent.Items[0].Availability != wire.NotAvailable {
		t.Fatalf("sent %+v / %+v", sent.Items[0], s)
	}
	// The update is asynchronous: applied once Epicentr processed it.
	c.sb.Clock().Advance(time.Minute)
	for i, o := range c.sb.Offers(c.store) {
		want := wire.NotAvailable
		if i%2 == 1 {
			want = wire.InStock
		}
		if o.Availability != want {
			t.Fatalf("offer %s: %s, want %s", o.SKU, o.Availability, want)
		}
	}
	if _, err := sp.PushStock(ctx, append(items, items[0])); err == nil {
		t.Fatal("a batch over the limit was sent")
	}
	wantWrites(t, c.writes())
}
