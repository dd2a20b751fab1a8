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
	url    string
	mark   int // recorder position after which writes are counted
}

func newShop(t *testing.T, products int) *shop {
	t.Helper()
	sb := hssb.New(hssb.Options{Clock: kit.NewClock(time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC)), Seed: 11})
	s := &shop{sb: sb, store: sb.AddStore("api", "pw-S3CR3T", 0, products)}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	s.url = srv.URL
	c, ok := connectors.Lookup(transform.Marketplace)
	if !ok || c.Pusher == nil {
		t.Fatal("the horoshop connector registers no pusher")
	}
	s.pusher = c.Pusher(s.config())
	return s
}

// config is the shop's source config.
func (s *shop) config() source.Config {
	return source.Config{Store: "hs-push", BaseURL: s.url, Username: "api", Password: "pw-S3CR3T",
		HTTP: httpx.Options{Timeout: 300 * time.Millisecond, MaxAttempts: 5, InitialBackoff: time.Millisecond}}
}

// stockPusher is a pusher of the shop with options (a warehouse).
func (s *shop) stockPusher(opts ...conn.Option) *conn.Pusher {
	return conn.NewPusher(s.config(), opts...)
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
	_, err := pushed(ctx, p, c)
	return err
}

// pushed is push that also returns the answer Apply recorded ("" when
// nothing was sent).
func pushed(ctx context.Context, p marketplace.Pusher, c marketplace.Change) (string, error) {
	actions, err := p.Plan(c)
	if err != nil || len(actions) == 0 {
		return "", err
	}
	if len(actions) > 1 {
		return "", fmt.Errorf("%d actions planned for one orders/update", len(actions))
	}
	a := actions[0]
	st, err := p.State(ctx, a.OrderID)
	switch {
	case err != nil:
		return "", err
	case marketplace.Satisfied(st, a):
		return "", nil
	}
	if err := marketplace.CheckTransition(st, a); err != nil {
		return "", err
	}
	return p.Apply(ctx, a, st)
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

// The waybill goes as tracking_code, which Horoshop keeps for the buyer's
// profile (wiki "Updating Orders",
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321) and
// orders/get does not return; delivery_data.tnNumber stays null until
// Horoshop's own Nova Poshta integration makes a waybill
// (IgorShutko/horoshop-mcp docs/tools/orders-public-api.md). The recorded
// answer says the code is not confirmed.
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
	resp, err := pushed(ctx, s.pusher, ch)
	if err != nil {
		t.Fatal(err)
	}
	oneUpdate(t, s.writes(wire.PathOrdersUpdate), map[string]any{"order_id": float64(n), "status": float64(6), "tracking_code": "2045 0000 0012 34"})
	if !strings.HasPrefix(resp, "OK UPDATED; tracking_code 2045 0000 0012 34 sent") || !strings.Contains(resp, "not confirmed") {
		t.Fatalf("recorded answer %q must say the code is sent but not confirmed", resp)
	}
	o := s.truth(t, id)
	if o.StatStatus != 6 || o.DeliveryData == nil || o.DeliveryData.TNNumber != nil || s.sb.TrackingCode(s.store, int64(n)) != "2045 0000 0012 34" {
		t.Fatalf("order after the push: status %d, tnNumber %v, tracking code %q", o.StatStatus, o.DeliveryData, s.sb.TrackingCode(s.store, int64(n)))
	}
	// This pusher sent the code in the request that moved the order to 6,
	// and the order shows 6: the code went with it. A fresh process cannot
	// tell, as orders/get does not return the code.
	st, err := s.pusher.State(ctx, id)
	if err != nil || st.Status != "6" || st.TTN != "2045 0000 0012 34" || st.Allowed != nil {
		t.Fatalf("state: %+v %v", st, err)
	}
	if st, err := s.stockPusher().State(ctx, id); err != nil || st.Status != "6" || st.TTN != "" {
		t.Fatalf("state read by a fresh pusher: %+v %v", st, err)
	}

	// Horoshop's Nova Poshta integration makes its own waybill: State shows
	// it, and a change asking for that waybill is already there.
	must(t, s.sb.SetTTN(s.store, int64(n), "20450000009876"))
	if err := push(ctx, s.pusher, marketplace.Change{OrderID: id, Status: "6", TTN: "20450000009876"}); err != nil {
		t.Fatal(err)
	}
	if w := s.writes(wire.PathOrdersUpdate); len(w) != 0 {
		t.Fatalf("a waybill the shop shows was sent: %v", w)
	}
	// A different code is sent, and the answer names the shop's waybill.
	resp, err = pushed(ctx, s.pusher, marketplace.Change{OrderID: id, TTN: "0500123456789"})
	if err != nil || !strings.Contains(resp, "delivery_data.tnNumber) is 20450000009876") {
		t.Fatalf("a second code: %q %v", resp, err)
	}
	oneUpdate(t, s.writes(wire.PathOrdersUpdate), map[string]any{"order_id": float64(n), "tracking_code": "0500123456789"})

	// Status alone is one call without the other key, and its answer is the log's.
	other := s.order()
	m, _ := strconv.Atoi(other)
	if resp, err := pushed(ctx, s.pusher, marketplace.Change{OrderID: other, Status: "2"}); err != nil || resp != "OK UPDATED" {
		t.Fatalf("status alone: %q %v", resp, err)
	}
	oneUpdate(t, s.writes(wire.PathOrdersUpdate), map[string]any{"order_id": float64(m), "status": float64(2)})
	if o := s.truth(t, other); o.StatStatus != 2 {
		t.Fatalf("order after the push: %+v", o)
	}
}

// A shop that does return tracking_code in orders/get (not documented) is
// read: the code kramar sent then counts as landed.
func TestStateReadsATrackingCodeTheShopReturns(t *testing.T) {
	s := newShop(t, 5)
	id := s.sb.AddOrder(s.store, func(o *wire.Order) { o.StatStatus, o.TrackingCode, o.DeliveryData = 6, "0500123456789", nil })
	st, err := s.pusher.State(context.Background(), strconv.FormatInt(id, 10))
	if err != nil || st.TTN != "0500123456789" {
		t.Fatalf("state: %+v %v", st, err)
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
	for _, a := range []marketplace.Action{
		{Kind: "status", Change: marketplace.Change{Status: "2"}},
		// The code is not readable, but it went in the request whose status shows.
		{Kind: "status+ttn", Change: marketplace.Change{Status: "6", TTN: "20450000004321"}},
	} {
		t.Run(a.Kind, func(t *testing.T) { lostAnswer(t, a) })
	}
}

func lostAnswer(t *testing.T, a marketplace.Action) {
	s := newShop(t, 5)
	ctx := context.Background()
	id := s.order()
	a.OrderID = id
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

// Cancelling through orders/update leaves the goods deducted and locks the
// order; only the admin's cancel with return_quantity=1 returns them
// (IgorShutko/horoshop-mcp docs/tools/orders-public-api.md, measured). The
// push lands and its answer says so; the next stock push restores the count.
func TestPushCancelSaysStockWasNotReturned(t *testing.T) {
	s := newShop(t, 5)
	ctx := context.Background()
	article := s.sb.Products(s.store)[0].Article
	must(t, s.sb.UseWarehouses(s.store, "office"))
	must(t, s.sb.SetStock(s.store, article, "office", 10))
	n := s.sb.AddOrder(s.store, func(o *wire.Order) {
		o.StatStatus = 2
		o.Products = []wire.Product{{Title: "x", Article: article, Price: "100", Quantity: "3", TotalPrice: "300", Type: "product"}}
	})
	id := strconv.FormatInt(n, 10)
	if got, _ := s.sb.WarehouseStock(s.store, article, "office"); got != 7 {
		t.Fatalf("the order left %d of 10", got)
	}
	s.writes(wire.PathOrdersUpdate)
	resp, err := pushed(ctx, s.pusher, marketplace.Change{OrderID: id, Status: conn.StatusCancelled})
	if err != nil || !strings.Contains(resp, "stock NOT returned") || !strings.Contains(resp, "push.stock") {
		t.Fatalf("cancel: %q %v", resp, err)
	}
	oneUpdate(t, s.writes(wire.PathOrdersUpdate), map[string]any{"order_id": float64(n), "status": float64(4)})
	if got, _ := s.sb.WarehouseStock(s.store, article, "office"); got != 7 || s.truth(t, id).StatStatus != 4 {
		t.Fatalf("after the cancel: stock %d, status %d", got, s.truth(t, id).StatStatus)
	}
	// The order is locked: a later waybill is refused without a request.
	if _, ok := marketplace.IsRejected(push(ctx, s.pusher, marketplace.Change{OrderID: id, TTN: "20450000009999"})); !ok {
		t.Fatal("a waybill for a cancelled order was not rejected")
	}
	if w := s.writes(wire.PathOrdersUpdate); len(w) != 0 {
		t.Fatalf("writes for a cancelled order: %v", w)
	}
	// The CRM's count goes back through the warehouse.
	res, err := s.stockPusher(conn.WithWarehouse("office")).PushStock(ctx, []marketplace.StockItem{{ExternalID: article, Quantity: 10}})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("stock push: %+v %v", res, err)
	}
	if got, _ := s.sb.WarehouseStock(s.store, article, "office"); got != 10 {
		t.Fatalf("after the stock push the shop holds %d, want 10", got)
	}
}

// importBodies decodes the catalog/import calls since the last look.
func importBodies(t *testing.T, s *shop) []wire.ImportRequest {
	t.Helper()
	var out []wire.ImportRequest
	for _, b := range s.writes(wire.PathCatalogImport) {
		var req wire.ImportRequest
		if err := json.Unmarshal([]byte(b), &req); err != nil {
			t.Fatalf("catalog/import body %s: %v", b, err)
		}
		out = append(out, req)
	}
	return out
}

func rawBodies(s *shop, path string) []string {
	var out []string
	for _, r := range s.sb.Recorder().Requests() {
		if r.Path == path {
			out = append(out, string(r.Body))
		}
	}
	return out
}

// A shop without warehouse accounting: quantity is written, and presence in
// the shop's own wording (a live store exports «Є в наявності»;
// IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md) only where the
// availability changes. Each product counts as updated once the export
// shows it.
func TestPushStockWithoutWarehouseWritesQuantityAndTheShopsPresence(t *testing.T) {
	s := newShop(t, 8)
	ctx := context.Background()
	sp, ok := s.pusher.(marketplace.StockPusher)
	if !ok || sp.StockBatch() != wire.ImportBatchMax {
		t.Fatalf("stock pusher: %v", ok)
	}
	products := s.sb.Products(s.store)
	a, b, c, d := products[0].Article, products[1].Article, products[2].Article, products[3].Article
	must(t, s.sb.SetPresence(s.store, a, "Є в наявності"))
	must(t, s.sb.SetPresence(s.store, b, "Є в наявності"))
	must(t, s.sb.SetPresence(s.store, c, "Немає в наявності"))
	must(t, s.sb.SetPresence(s.store, d, "Під замовлення"))
	items := []marketplace.StockItem{
		{ExternalID: a, Quantity: 4}, // in stock, stays in stock
		{ExternalID: b, Quantity: 0}, // goes out of stock
		{ExternalID: c, Quantity: 2}, // comes back
		{ExternalID: d, Quantity: 0}, // made to order stays so
		{ExternalID: "NO-SUCH-ARTICLE", Quantity: 4},
	}
	s.writes(wire.PathCatalogImport)
	res, err := sp.PushStock(ctx, items)
	if err != nil || len(res) != len(items) {
		t.Fatalf("push: %+v %v", res, err)
	}
	for i, r := range res {
		if r.ExternalID != items[i].ExternalID {
			t.Fatalf("result %d is for %s", i, r.ExternalID)
		}
		reason, rejected := marketplace.IsRejected(r.Err)
		if want := i == 4; rejected != want || !want && r.Err != nil {
			t.Fatalf("item %s: %v", r.ExternalID, r.Err)
		}
		if rejected && !strings.Contains(reason, "not in the shop's catalog") {
			t.Fatalf("unknown article: %q", reason)
		}
	}
	bodies := importBodies(t, s)
	if len(bodies) != 1 {
		t.Fatalf("%d catalog/import calls", len(bodies))
	}
	got, _ := json.Marshal(bodies[0].Products)
	want := `[{"article":"` + a + `","quantity":4},{"article":"` + b + `","presence":"Немає в наявності","quantity":0},` +
		`{"article":"` + c + `","presence":"Є в наявності","quantity":2},{"article":"` + d + `","quantity":0}]`
	if string(got) != want {
		t.Fatalf("catalog/import sent\n%s\nwant\n%s", got, want)
	}
	for _, it := range items[:4] {
		p := productOf(t, s, it.ExternalID)
		if p.Quantity.String() != strconv.Itoa(int(it.Quantity)) {
			t.Errorf("%s: quantity %s, want %d", it.ExternalID, p.Quantity, it.Quantity)
		}
	}
	if productOf(t, s, b).Presence != "Немає в наявності" || productOf(t, s, c).Presence != "Є в наявності" || productOf(t, s, d).Presence != "Під замовлення" {
		t.Error("presence after the push")
	}
	// Every read was narrowed to the stock fields.
	for _, body := range rawBodies(s, wire.PathCatalogExport) {
		if !strings.Contains(body, `"includedParams":["article","presence","quantity","residues"]`) {
			t.Errorf("export read %s", body)
		}
	}

	// More than a batch is the caller's to split: refused before any request.
	s.writes(wire.PathCatalogImport)
	if _, err := sp.PushStock(ctx, make([]marketplace.StockItem, wire.ImportBatchMax+1)); err == nil {
		t.Fatal("a batch over the limit was sent")
	}
	if w := s.writes(wire.PathCatalogImport); len(w) != 0 {
		t.Fatalf("an over-limit batch reached the shop: %d calls", len(w))
	}
}

// productOf is the sandbox's product with article.
func productOf(t *testing.T, s *shop, article string) wire.CatalogProduct {
	t.Helper()
	for _, p := range s.sb.Products(s.store) {
		if p.Article == article {
			return p
		}
	}
	t.Fatalf("no product %s", article)
	return wire.CatalogProduct{}
}

// The shop's text for "out of stock" is not in the batch: one narrowed look
// at the catalog finds it, and none is invented.
func TestPushStockLearnsThePresenceTextFromTheCatalog(t *testing.T) {
	s := newShop(t, 6)
	products := s.sb.Products(s.store)
	for _, p := range products {
		must(t, s.sb.SetPresence(s.store, p.Article, "Є в наявності"))
	}
	must(t, s.sb.SetPresence(s.store, products[5].Article, "Немає в наявності"))
	a := products[0].Article
	before := len(rawBodies(s, wire.PathCatalogExport))
	s.writes(wire.PathCatalogImport)
	res, err := s.stockPusher().PushStock(context.Background(), []marketplace.StockItem{{ExternalID: a, Quantity: 0}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("push: %+v %v", res, err)
	}
	bodies := importBodies(t, s)
	if len(bodies) != 1 || bodies[0].Products[0].Presence != "Немає в наявності" {
		t.Fatalf("catalog/import: %+v", bodies)
	}
	exports := rawBodies(s, wire.PathCatalogExport)[before:]
	if len(exports) != 3 || !strings.Contains(exports[1], `"limit":500`) || !strings.Contains(exports[1], `"includedParams":["article","presence"]`) {
		t.Fatalf("catalog/export reads: %v", exports)
	}
	if p := productOf(t, s, a); p.Presence != "Немає в наявності" || p.Quantity != "0" {
		t.Fatalf("product after the push: %s / %s", p.Presence, p.Quantity)
	}
}

// No product of the shop shows an "in stock" text: presence is not
// invented, and the push is not called a success.
func TestPushStockWithoutAShopTextIsNotASuccess(t *testing.T) {
	s := newShop(t, 3)
	for _, p := range s.sb.Products(s.store) {
		must(t, s.sb.SetPresence(s.store, p.Article, "Немає в наявності"))
	}
	a := s.sb.Products(s.store)[0].Article
	s.writes(wire.PathCatalogImport)
	res, err := s.stockPusher().PushStock(context.Background(), []marketplace.StockItem{{ExternalID: a, Quantity: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if reason, ok := marketplace.IsRejected(res[0].Err); !ok || !strings.Contains(reason, "shows no text for that availability") {
		t.Fatalf("result: %v", res[0].Err)
	}
	if b := importBodies(t, s); len(b) != 1 || b[0].Products[0].Presence != "" {
		t.Fatalf("catalog/import: %+v", b)
	}
}

// A shop with warehouse accounting: the stock goes into the configured
// warehouse as residues, nothing else is sent, and the export confirms it.
func TestPushStockIntoTheWarehouse(t *testing.T) {
	s := newShop(t, 5)
	products := s.sb.Products(s.store)
	a, b := products[0].Article, products[1].Article
	must(t, s.sb.UseWarehouses(s.store, "office"))
	s.writes(wire.PathCatalogImport)
	res, err := s.stockPusher(conn.WithWarehouse("office")).PushStock(context.Background(),
		[]marketplace.StockItem{{ExternalID: a, Quantity: 5}, {ExternalID: b, Quantity: 0}})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("push: %+v %v", res, err)
	}
	bodies := importBodies(t, s)
	got, _ := json.Marshal(bodies[0].Products)
	if want := `[{"article":"` + a + `","residues":[{"warehouse":"office","quantity":5}]},{"article":"` + b + `","residues":[{"warehouse":"office","quantity":0}]}]`; len(bodies) != 1 || string(got) != want {
		t.Fatalf("catalog/import sent %s, want %s", got, want)
	}
	for article, want := range map[string]int{a: 5, b: 0} {
		if n, _ := s.sb.WarehouseStock(s.store, article, "office"); n != want {
			t.Errorf("%s: office holds %d, want %d", article, n, want)
		}
	}
}

// The bug this guards: a warehouse-accounting shop takes quantity, answers
// «Товар обновлен», and keeps its stock (IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md, measured: import 5, export still 0).
// Without the store's warehouse kramar must not call that a success; with
// a warehouse the shop does not have, the log's refusal is the reason.
func TestPushStockTheShopIgnoresIsRejectedWithTheReason(t *testing.T) {
	s := newShop(t, 5)
	ctx := context.Background()
	products := s.sb.Products(s.store)
	a, b := products[0].Article, products[1].Article
	must(t, s.sb.UseWarehouses(s.store, "office"))
	must(t, s.sb.SetStock(s.store, a, "office", 0))
	must(t, s.sb.SetStock(s.store, b, "office", 3))
	s.writes(wire.PathCatalogImport)
	res, err := s.stockPusher().PushStock(ctx, []marketplace.StockItem{{ExternalID: a, Quantity: 5}, {ExternalID: b, Quantity: 5}})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		reason, ok := marketplace.IsRejected(r.Err)
		if !ok || !strings.Contains(reason, "Товар обновлен") || !strings.Contains(reason, "set the store's warehouse") {
			t.Errorf("item %d: %v", i, r.Err)
		}
	}
	if n, _ := s.sb.WarehouseStock(s.store, a, "office"); n != 0 {
		t.Errorf("the sandbox applied quantity: %d", n)
	}
	if n, _ := s.sb.WarehouseStock(s.store, b, "office"); n != 3 {
		t.Errorf("the sandbox applied quantity: %d", n)
	}
	if bodies := importBodies(t, s); len(bodies) != 1 || bodies[0].Products[0].Quantity == nil || bodies[0].Products[0].Residues != nil {
		t.Fatalf("catalog/import: %+v", bodies)
	}

	res, err = s.stockPusher(conn.WithWarehouse("affice")).PushStock(ctx, []marketplace.StockItem{{ExternalID: a, Quantity: 5}})
	if reason, ok := marketplace.IsRejected(res[0].Err); err != nil || !ok || !strings.Contains(reason, "Warehouse affice is not defined") {
		t.Fatalf("an unknown warehouse: %v %v", res, err)
	}
}

// The export's residues, when a shop sends them, decide per warehouse; in
// either shape a client may meet (the export shape is not documented).
func TestWarehouseStockReadsResiduesLeniently(t *testing.T) {
	for _, raw := range []string{
		`[{"warehouse":"office","quantity":4},{"warehouse":"kyiv","quantity":"9"}]`,
		`{"office":4,"kyiv":9}`, `{"office":{"quantity":"4.000"},"kyiv":{"quantity":9}}`,
	} {
		p := wire.CatalogProduct{Quantity: "13", Residues: json.RawMessage(raw)}
		if n, ok := p.WarehouseStock("office"); !ok || n != 4 {
			t.Errorf("%s: office %d %v", raw, n, ok)
		}
		if _, ok := p.WarehouseStock("lviv"); ok {
			t.Errorf("%s: a warehouse it does not list", raw)
		}
	}
	if _, ok := (wire.CatalogProduct{Quantity: "13"}).WarehouseStock("office"); ok {
		t.Error("no residues")
	}
}
