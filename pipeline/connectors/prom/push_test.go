package prom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

const token = "tok"

func newPushSandbox(t *testing.T) (*promsb.Sandbox, *Pusher) {
	t.Helper()
	sb := promsb.New(promsb.Options{Clock: kit.NewClock(time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)), Seed: 3})
	sb.AddStore(token, 0)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	p := NewPusher(source.Config{Store: "shop", BaseURL: srv.URL + promsb.APIPath, Token: token,
		HTTP: httpx.Options{Timeout: 2 * time.Second, MaxAttempts: 3, InitialBackoff: time.Millisecond}})
	return sb, p
}

func addOrder(sb *promsb.Sandbox, status string) int64 {
	return sb.AddOrder(token, func(o *wire.Order) { o.Status = status })
}

// writes are the recorded write requests as "path body".
func writes(sb *promsb.Sandbox) []string {
	var out []string
	for _, r := range sb.Recorder().Requests() {
		if r.Method == "POST" {
			out = append(out, strings.TrimPrefix(r.Path, promsb.APIPath)+" "+string(r.Body))
		}
	}
	return out
}

// push runs a change the way the push engine does: plan, then per action
// read the state, skip what is already there, check, apply.
func push(ctx context.Context, p *Pusher, c marketplace.Change) error {
	actions, err := p.Plan(c)
	if err != nil {
		return err
	}
	for _, a := range actions {
		st, err := p.State(ctx, a.OrderID)
		if err != nil {
			return err
		}
		if marketplace.Satisfied(st, a) {
			continue
		}
		if err := marketplace.CheckTransition(st, a); err != nil {
			return err
		}
		if _, err := p.Apply(ctx, a, st); err != nil {
			return err
		}
	}
	return nil
}

func TestPushChanges(t *testing.T) {
	for _, tc := range []struct {
		name, from string
		change     marketplace.Change // OrderID is filled in
		wantWrites []string           // %d is the order id
		wantStatus string
		wantTTN    string
	}{
		{
			name: "status", from: "pending",
			change:     marketplace.Change{Status: "received"},
			wantWrites: []string{`/orders/set_status {"ids":[%d],"status":"received"}`},
			wantStatus: "received",
		},
		{
			name: "ttn then status", from: "received",
			change: marketplace.Change{Status: "delivered", TTN: "20450000000017", Carrier: "nova_poshta"},
			wantWrites: []string{
				`/delivery/save_declaration_id {"order_id":%d,"declaration_id":"20450000000017","delivery_type":"nova_poshta"}`,
				`/orders/set_status {"ids":[%d],"status":"delivered"}`,
			},
			wantStatus: "delivered", wantTTN: "20450000000017",
		},
		{
			name: "ttn only", from: "received",
			change:     marketplace.Change{TTN: "0500128254610", Carrier: "ukrposhta"},
			wantWrites: []string{`/delivery/save_declaration_id {"order_id":%d,"declaration_id":"0500128254610","delivery_type":"ukrposhta"}`},
			wantStatus: "received", wantTTN: "0500128254610",
		},
		{
			name: "cancelled is sent as canceled", from: "pending",
			change:     marketplace.Change{Status: "cancelled", CancelReason: "another", CancelText: "Покупець передумав"},
			wantWrites: []string{`/orders/set_status {"ids":[%d],"status":"canceled","cancellation_reason":"another","cancellation_text":"Покупець передумав"}`},
			wantStatus: "canceled",
		},
		{
			// A company's own status goes by its id; the order then shows custom-<id>.
			name: "custom status", from: "received",
			change:     marketplace.Change{Status: "custom-137639"},
			wantWrites: []string{`/orders/set_status {"ids":[%d],"custom_status_id":137639}`},
			wantStatus: "custom-137639",
		},
		{
			name: "already there", from: "received",
			change:     marketplace.Change{Status: "received"},
			wantStatus: "received",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb, p := newPushSandbox(t)
			id := addOrder(sb, tc.from)
			c := tc.change
			c.OrderID = strconv.FormatInt(id, 10)
			if err := push(context.Background(), p, c); err != nil {
				t.Fatal(err)
			}
			got := writes(sb)
			if len(got) != len(tc.wantWrites) {
				t.Fatalf("writes %q, want %d", got, len(tc.wantWrites))
			}
			for i, w := range tc.wantWrites {
				if want := strings.ReplaceAll(w, "%d", c.OrderID); got[i] != want {
					t.Errorf("write %d:\n got %s\nwant %s", i, got[i], want)
				}
			}
			o, _ := sb.Order(sb.StoreID(token), id)
			ttn := ""
			if o.DeliveryProviderData != nil {
				ttn = o.DeliveryProviderData.DeclarationNumber
			}
			if o.Status != tc.wantStatus || ttn != tc.wantTTN {
				t.Errorf("order ends %s with ТТН %q, want %s with %q", o.Status, ttn, tc.wantStatus, tc.wantTTN)
			}
			if st, err := p.State(context.Background(), c.OrderID); err != nil || st.Status != tc.wantStatus || st.TTN != tc.wantTTN {
				t.Errorf("State = %+v, %v", st, err)
			}
		})
	}
}

func TestPlanRejectsIncompleteChanges(t *testing.T) {
	sb, p := newPushSandbox(t)
	for _, tc := range []struct {
		change marketplace.Change
		want   string
	}{
		{marketplace.Change{OrderID: "7", Status: "canceled"}, "needs a cancellation reason"},
		{marketplace.Change{OrderID: "7", Status: "cancelled", CancelReason: "price_changed"}, "needs a cancellation text"},
		{marketplace.Change{OrderID: "7", Status: "canceled", CancelReason: "another", CancelText: "  "}, "needs a cancellation text"},
		{marketplace.Change{OrderID: "7", Status: "canceled", CancelReason: "bored"}, "buyers_request"},
		{marketplace.Change{OrderID: "7", TTN: "20450000000017", Carrier: "pigeon"}, "nova_poshta"},
		{marketplace.Change{OrderID: "x7", Status: "received"}, "not a positive number"},
	} {
		actions, err := p.Plan(tc.change)
		reason, ok := marketplace.IsRejected(err)
		if !ok || !strings.Contains(reason, tc.want) || actions != nil {
			t.Errorf("Plan(%+v) = %v, %v; want a rejection naming %q", tc.change, actions, err, tc.want)
		}
	}
	if n := len(sb.Recorder().Requests()); n != 0 {
		t.Errorf("Plan made %d requests", n)
	}
}

func TestApplyRefusals(t *testing.T) {
	ctx := context.Background()
	sb, p := newPushSandbox(t)
	done := strconv.FormatInt(addOrder(sb, "delivered"), 10)

	// Prom answers 200 and leaves the id out of processed_ids.
	_, err := p.Apply(ctx, marketplace.Action{Kind: "status", Change: marketplace.Change{OrderID: done, Status: "pending"}}, marketplace.State{})
	if reason, ok := marketplace.IsRejected(err); !ok || !strings.Contains(reason, "delivered cannot change to pending") {
		t.Errorf("refused status: %v", err)
	}
	// So is a 200 "status":"error" for bad input, once the order read back
	// does not carry the ТТН.
	_, err = p.Apply(ctx, marketplace.Action{Kind: "ttn", Change: marketplace.Change{OrderID: done, TTN: "x", Carrier: "nova_poshta"}}, marketplace.State{})
	if reason, ok := marketplace.IsRejected(err); !ok || !strings.Contains(reason, "invalid declaration_id") {
		t.Errorf("refused ТТН: %v", err)
	}
	if o, _ := sb.Order(sb.StoreID(token), mustID(done)); o.Status != "delivered" || o.DeliveryProviderData != nil && o.DeliveryProviderData.DeclarationNumber == "x" {
		t.Errorf("a refused write changed the order: %+v", o)
	}

	// A lost answer is neither retried nor called a refusal.
	sb.Recorder().Reset()
	sb.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.ServerError}})
	_, err = p.Apply(ctx, marketplace.Action{Kind: "status", Change: marketplace.Change{OrderID: done, Status: "delivered"}}, marketplace.State{})
	if _, rejected := marketplace.IsRejected(err); err == nil || rejected || !httpx.Uncertain(err) {
		t.Errorf("5xx: %v", err)
	}
	if n := len(writes(sb)); n != 1 {
		t.Errorf("a write with a lost answer was sent %d times", n)
	}
}

func TestPushStock(t *testing.T) {
	ctx := context.Background()
	sb, p := newPushSandbox(t)
	ids := sb.ExternalIDs(token)[:249]
	items := make([]marketplace.StockItem, 0, 250)
	for i, id := range ids {
		items = append(items, marketplace.StockItem{ExternalID: id, Quantity: uint32(i % 4)})
	}
	items = append(items, marketplace.StockItem{ExternalID: "NO-SUCH-SKU", Quantity: 1})

	var results []marketplace.StockResult
	for start := 0; start < len(items); start += p.StockBatch() {
		res, err := p.PushStock(ctx, items[start:min(start+p.StockBatch(), len(items))])
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res...)
	}
	calls := writes(sb)
	if len(calls) != 3 {
		t.Fatalf("%d edit calls, want 3", len(calls))
	}
	for _, c := range calls {
		var batch []wire.ProductEdit
		if err := json.Unmarshal([]byte(strings.TrimPrefix(c, "/products/edit_by_external_id ")), &batch); err != nil || len(batch) > 100 {
			t.Errorf("batch of %d items (%v)", len(batch), err)
		}
	}
	for i, r := range results[:len(ids)] {
		want := marketplace.StockItem{ExternalID: ids[i], Quantity: uint32(i % 4)}
		prod, _ := sb.Product(token, want.ExternalID)
		wantPresence := map[bool]string{true: "available", false: "not_available"}[want.Quantity > 0]
		if r.ExternalID != want.ExternalID || r.Err != nil || prod.QuantityInStock != int64(want.Quantity) || prod.Presence != wantPresence {
			t.Fatalf("item %d: result %+v, product %+v", i, r, prod)
		}
	}
	last := results[len(results)-1]
	if reason, ok := marketplace.IsRejected(last.Err); last.ExternalID != "NO-SUCH-SKU" || !ok || !strings.Contains(reason, "not found") {
		t.Errorf("unknown product: %+v", last)
	}
}

func mustID(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(fmt.Sprint("bad id ", s))
	}
	return id
}

// Prom answers a repeated save_declaration_id with the waybill the order
// has by HTTP 200 {"status":"error","message":"Этот ЭН уже добавлен к
// данному заказу"} (live-verified by the integration with
// attach_prom_declaration_id). A first call whose answer was lost and that
// landed late makes the retry meet that answer: the ТТН is on the order,
// so the call is done.
func TestTTNRetryAfterALostAnswerIsDone(t *testing.T) {
	ctx := context.Background()
	sb, _ := newPushSandbox(t)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	p := NewPusher(source.Config{Store: "shop", BaseURL: srv.URL + promsb.APIPath, Token: token,
		HTTP: httpx.Options{Timeout: 200 * time.Millisecond, MaxAttempts: 3, InitialBackoff: time.Millisecond}})
	id := sb.AddOrder(token, func(o *wire.Order) { o.Status = "received"; o.DeliveryProviderData = nil })
	a := marketplace.Action{Kind: actionTTN, Change: marketplace.Change{OrderID: strconv.FormatInt(id, 10), TTN: "20450000000017", Carrier: "nova_poshta"}}

	sb.StallDeclarations(1)
	st, err := p.State(ctx, a.OrderID)
	if err != nil || st.TTN != "" {
		t.Fatalf("state before: %+v, %v", st, err)
	}
	_, err = p.Apply(ctx, a, st)
	if _, rejected := marketplace.IsRejected(err); err == nil || rejected || !httpx.Uncertain(err) {
		t.Fatalf("first call: %v, want an unknown outcome", err)
	}
	// As the push engine does: read again, the waybill is not visible yet, send again.
	if st, err = p.State(ctx, a.OrderID); err != nil || marketplace.Satisfied(st, a) {
		t.Fatalf("state after the lost answer: %+v, %v", st, err)
	}
	resp, err := p.Apply(ctx, a, st)
	if err != nil || !strings.Contains(resp, "already attached") || !strings.Contains(resp, "Этот ЭН уже добавлен к данному заказу") {
		t.Fatalf("retry: %q, %v", resp, err)
	}
	if o, _ := sb.Order(sb.StoreID(token), id); o.DeliveryProviderData == nil || o.DeliveryProviderData.DeclarationNumber != "20450000000017" {
		t.Fatalf("order's waybill: %+v", o.DeliveryProviderData)
	}
	if n := len(writes(sb)); n != 2 {
		t.Errorf("%d save_declaration_id calls, want 2", n)
	}
}

// The same answer is a refusal when the order read back carries another
// waybill (or none): nothing proves this one is attached.
func TestTTNRefusalWhenTheOrderDoesNotCarryIt(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			_, _ = w.Write([]byte(`{"status":"error","message":"Этот ЭН уже добавлен к данному заказу"}`))
			return
		}
		_, _ = w.Write([]byte(`{"order":{"id":7,"status":"received","delivery_provider_data":{"provider":"nova_poshta","declaration_number":"20450000000099"}}}`))
	}))
	t.Cleanup(srv.Close)
	p := NewPusher(source.Config{Store: "shop", BaseURL: srv.URL, Token: token, HTTP: httpx.Options{Timeout: time.Second, MaxAttempts: 1}})
	_, err := p.Apply(ctx, marketplace.Action{Kind: actionTTN, Change: marketplace.Change{OrderID: "7", TTN: "20450000000017", Carrier: "nova_poshta"}}, marketplace.State{})
	reason, ok := marketplace.IsRejected(err)
	if !ok || !strings.Contains(reason, "уже добавлен") || !strings.Contains(reason, "20450000000099") {
		t.Fatalf("err = %v", err)
	}
}
