package prom

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
)

// The shapes below follow public sources: the real order dumps of
// ffers/cetwer12 prom_dict.py (custom-137639 / «Підтверджено», «Новый»
// without X-LANGUAGE, utm and cancellation always present) and the
// live-verified integration with attach_prom_declaration_id (the repeat
// answer of save_declaration_id, input errors as HTTP 200).

const saveDeclaration = APIPath + "/delivery/save_declaration_id"

func declarationBody(id int64, ttn string) map[string]any {
	return map[string]any{"order_id": id, "declaration_id": ttn, "delivery_type": "nova_poshta"}
}

func TestSaveDeclarationRepeatAnswersAlreadyAdded(t *testing.T) {
	clock := kit.NewClock(kittest.Now)
	f := newFixture(t, Options{Seed: 3, Clock: clock})
	f.sb.AddStore("tok", 0)
	id := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "received"; o.DeliveryProviderData = nil })

	code, _, body := f.call(t, "POST", "tok", saveDeclaration, declarationBody(id, "20450111222333"))
	if code != 200 || string(body) != `{"status":"success"}` {
		t.Fatalf("first save: %d %s", code, body)
	}
	first, _ := f.sb.Order(f.sb.StoreID("tok"), id)

	clock.Advance(time.Hour)
	code, _, body = f.call(t, "POST", "tok", saveDeclaration, declarationBody(id, "20450111222333"))
	if code != 200 || string(body) != `{"status":"error","message":"Этот ЭН уже добавлен к данному заказу"}` {
		t.Fatalf("repeat: %d %s", code, body)
	}
	if again, _ := f.sb.Order(f.sb.StoreID("tok"), id); again.DateModified != first.DateModified {
		t.Errorf("the refused repeat changed the order: modified %s, was %s", again.DateModified, first.DateModified)
	}

	// Another waybill replaces the first.
	code, _, body = f.call(t, "POST", "tok", saveDeclaration, declarationBody(id, "20450999888777"))
	if o, _ := f.sb.Order(f.sb.StoreID("tok"), id); code != 200 || string(body) != `{"status":"success"}` ||
		o.DeliveryProviderData.DeclarationNumber != "20450999888777" {
		t.Fatalf("new waybill: %d %s, order has %q", code, body, o.DeliveryProviderData.DeclarationNumber)
	}
}

func TestStalledDeclarationLandsJustBeforeTheRetry(t *testing.T) {
	f := newFixture(t, Options{Seed: 3})
	f.sb.AddStore("tok", 0)
	id := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "received"; o.DeliveryProviderData = nil })
	f.sb.StallDeclarations(1)

	// The client gives up on the first call: no answer.
	b, _ := json.Marshal(declarationBody(id, "20450111222333"))
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", f.srv.URL+saveDeclaration, strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer tok")
	if resp, err := f.http.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a stalled call answered %d", resp.StatusCode)
	}
	// Reads do not show it yet.
	if o, _ := f.sb.Order(f.sb.StoreID("tok"), id); o.DeliveryProviderData != nil {
		t.Fatalf("the stalled waybill is visible before any other write: %+v", o.DeliveryProviderData)
	}
	_, _, body := f.callIn(t, "uk", "GET", "tok", APIPath+"/orders/"+strconv.FormatInt(id, 10), nil)
	if strings.Contains(string(body), "20450111222333") {
		t.Fatalf("GET /orders/{id} shows the stalled waybill: %s", body)
	}

	// The retry: the stuck request is applied first, so the retry meets
	// an order that has the waybill.
	code, _, body := f.call(t, "POST", "tok", saveDeclaration, declarationBody(id, "20450111222333"))
	if code != 200 || string(body) != `{"status":"error","message":"Этот ЭН уже добавлен к данному заказу"}` {
		t.Fatalf("retry: %d %s", code, body)
	}
	if o, _ := f.sb.Order(f.sb.StoreID("tok"), id); o.DeliveryProviderData == nil || o.DeliveryProviderData.DeclarationNumber != "20450111222333" {
		t.Fatalf("waybill after the retry: %+v", o.DeliveryProviderData)
	}
	if n := f.sb.Recorder().Count(saveDeclaration); n != 2 {
		t.Errorf("recorded %d save_declaration_id calls, want 2", n)
	}
	// Only one call stalled.
	other := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "received" })
	if code, _, body := f.call(t, "POST", "tok", saveDeclaration, declarationBody(other, "20450444555666")); code != 200 || string(body) != `{"status":"success"}` {
		t.Fatalf("next call: %d %s", code, body)
	}
}

// statusNameOf reads status_name from an order body (bare or enveloped).
func statusNameOf(t *testing.T, body []byte) string {
	t.Helper()
	var env struct {
		Order struct {
			StatusName string `json:"status_name"`
		} `json:"order"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return env.Order.StatusName
}

func TestStatusNamesInTheRequestedLanguage(t *testing.T) {
	f := newFixture(t, Options{Seed: 5})
	f.sb.AddStore("tok", 0)
	pending := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "pending" })
	delivered := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "delivered" })
	custom := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "received" })
	if err := f.sb.SetStatus("tok", custom, "custom-137639"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id         int64
		lang, want string
	}{
		{pending, "", "Новый"}, {pending, "ru", "Новый"}, {pending, "uk", "Нове"}, {pending, "UK", "Нове"},
		{delivered, "", "Выполнен"}, {delivered, "uk", "Виконане"},
		// A company's own label is its own text, in every language.
		{custom, "", "Підтверджено"}, {custom, "uk", "Підтверджено"},
	} {
		_, _, body := f.callIn(t, tc.lang, "GET", "tok", APIPath+"/orders/"+strconv.FormatInt(tc.id, 10), nil)
		if got := statusNameOf(t, body); got != tc.want {
			t.Errorf("order %d, X-LANGUAGE %q: status_name %q, want %q", tc.id, tc.lang, got, tc.want)
		}
	}
	// The list says the same, and only status_name differs between languages.
	ru := f.list(t, "tok", url.Values{"limit": {"10"}})
	uk := func() []json.RawMessage {
		_, _, body := f.callIn(t, "uk", "GET", "tok", APIPath+"/orders/list?limit=10", nil)
		var page wire.OrderList
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		return page.Orders
	}()
	if len(ru) != 3 || len(uk) != 3 {
		t.Fatalf("pages of %d and %d orders", len(ru), len(uk))
	}
	for i := range ru {
		var a, b map[string]any
		if json.Unmarshal(ru[i], &a) != nil || json.Unmarshal(uk[i], &b) != nil {
			t.Fatalf("unreadable order %s", ru[i])
		}
		a["status_name"], b["status_name"] = nil, nil
		if ab, bb := mustMarshal(t, a), mustMarshal(t, b); ab != bb {
			t.Errorf("languages differ beyond status_name:\n%s\n%s", ab, bb)
		}
	}
	if got := statusNameOf(t, []byte(`{"order":`+string(ru[0])+`}`)); got != "Підтверджено" {
		t.Errorf("newest order in the list: %q", got)
	}

	// The status list: base statuses in the answer language, the company's own as they are.
	for lang, want := range map[string]string{"": "Новый", "uk": "Нове"} {
		code, _, body := f.callIn(t, lang, "GET", "tok", APIPath+"/order_status_options/list", nil)
		var l wire.StatusOptionList
		if code != 200 || json.Unmarshal(body, &l) != nil || len(l.StatusOptions) != 9 {
			t.Fatalf("status options (%q): %d %s", lang, code, body)
		}
		if o := l.StatusOptions[0]; o.Key() != "pending" || o.Label() != want {
			t.Errorf("status options (%q) start with %+v", lang, o)
		}
		if !strings.Contains(string(body), `{"id":137639,"name":"custom-137639","title":"Підтверджено"}`) {
			t.Errorf("status options (%q) lack the custom status: %s", lang, body)
		}
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCustomStatusSetByID(t *testing.T) {
	f := newFixture(t, Options{Seed: 5})
	f.sb.AddStore("tok", 0)
	id := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "received" })
	done := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "delivered" })
	setStatus := func(body map[string]any) wire.SetStatusResponse {
		t.Helper()
		code, _, resp := f.call(t, "POST", "tok", APIPath+"/orders/set_status", body)
		var out wire.SetStatusResponse
		if code != 200 || json.Unmarshal(resp, &out) != nil {
			t.Fatalf("set_status %v: %d %s", body, code, resp)
		}
		return out
	}
	out := setStatus(map[string]any{"ids": []int64{id, done}, "custom_status_id": 137639})
	if !slices.Equal(out.ProcessedIDs, []int64{id}) || !slices.Equal(out.NotProcessedIDs, []int64{done}) {
		t.Fatalf("custom status: %+v", out)
	}
	if o, _ := f.sb.Order(f.sb.StoreID("tok"), id); o.Status != "custom-137639" || o.StatusName != "Підтверджено" {
		t.Fatalf("order after custom_status_id: %s / %s", o.Status, o.StatusName)
	}
	if ids := pageIDs(t, f.list(t, "tok", url.Values{"status": {"custom-137639"}})); !slices.Equal(ids, []int64{id}) {
		t.Errorf("list by custom status: %v", ids)
	}
	out = setStatus(map[string]any{"ids": []int64{id}, "custom_status_id": 999})
	if len(out.ProcessedIDs) != 0 || out.Errors[strconv.FormatInt(id, 10)] != "unknown custom_status_id 999" {
		t.Errorf("unknown custom status: %+v", out)
	}
	// From a custom status the order goes on.
	out = setStatus(map[string]any{"ids": []int64{id}, "status": "delivered"})
	if o, _ := f.sb.Order(f.sb.StoreID("tok"), id); !slices.Equal(out.ProcessedIDs, []int64{id}) || o.Status != "delivered" || o.StatusName != "Виконане" {
		t.Errorf("custom → delivered: %+v, order %s / %s", out, o.Status, o.StatusName)
	}
}

// TestGeneratedOrdersHaveTheRealKeys: every key real orders always carry
// is there (null or empty when unset), and some orders sit in custom
// statuses.
func TestGeneratedOrdersHaveTheRealKeys(t *testing.T) {
	f := newFixture(t, Options{Seed: 4})
	f.sb.AddStore("tok", 600)
	// email and client_second_name are null in real orders when unset; the
	// sandbox leaves them out then, which a reader takes the same way.
	always := []string{"id", "date_created", "client_first_name", "client_last_name", "client_id",
		"client_notes", "phone", "delivery_recipient", "products", "price", "delivery_option",
		"delivery_provider_data", "delivery_address", "delivery_cost", "payment_option", "payment_data", "status",
		"status_name", "source", "utm", "dont_call_customer_back", "cancellation"}
	custom := map[string]int{}
	for _, raw := range f.list(t, "tok", url.Values{"limit": {"1000"}}) {
		var o map[string]json.RawMessage
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		for _, k := range always {
			if _, ok := o[k]; !ok {
				t.Fatalf("order without %q: %s", k, raw)
			}
		}
		if string(o["utm"]) == "null" {
			t.Fatalf("utm is null, real orders send the object: %s", raw)
		}
		var status, name string
		_ = json.Unmarshal(o["status"], &status)
		_ = json.Unmarshal(o["status_name"], &name)
		if _, ok := wire.CustomStatusID(status); ok {
			custom[status+" "+name]++
		}
	}
	if len(custom) != len(customStatuses) {
		t.Errorf("custom statuses among 600 orders: %v", custom)
	}
	for _, c := range customStatuses {
		if custom["custom-"+strconv.FormatInt(c.id, 10)+" "+c.label] == 0 {
			t.Errorf("no order in custom status %d «%s»: %v", c.id, c.label, custom)
		}
	}
}
