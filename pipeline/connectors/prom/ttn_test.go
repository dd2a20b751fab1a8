package prom

import (
	"context"
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
	promsb "github.com/kramar/kramar/sandbox/prom"
)

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
