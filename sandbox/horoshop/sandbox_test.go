package horoshop

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
)

var testNow = time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC)

type fixture struct {
	sb    *Sandbox
	srv   *httptest.Server
	store string
	token string
}

func newFixture(t *testing.T, nOrders, nProducts int) *fixture {
	t.Helper()
	sb := New(Options{Clock: kit.NewClock(testNow), Seed: 5})
	f := &fixture{sb: sb, srv: httptest.NewServer(sb.Handler()), store: sb.AddStore("api", "s3cret", nOrders, nProducts)}
	t.Cleanup(f.srv.Close)
	env, raw := f.post(t, wire.PathAuth, map[string]any{"login": "api", "password": "s3cret"})
	var auth wire.AuthResponse
	if env.Status != wire.StatusOK || json.Unmarshal(env.Response, &auth) != nil || len(auth.Token) != 32 {
		t.Fatalf("auth: %s", raw)
	}
	f.token = auth.Token
	return f
}

// post sends body (with the fixture's token, unless body sets its own) and
// returns the envelope and the raw answer.
func (f *fixture) post(t *testing.T, path string, body map[string]any) (wire.Envelope, string) {
	t.Helper()
	if _, set := body["token"]; !set && f.token != "" {
		body["token"] = f.token
	}
	b, _ := json.Marshal(body)
	resp, err := http.Post(f.srv.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env wire.Envelope
	_ = json.Unmarshal(raw, &env)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s answered HTTP %d: %s", path, resp.StatusCode, raw)
	}
	return env, string(raw)
}

func TestAuthAndTokenLifetime(t *testing.T) {
	f := newFixture(t, 10, 5)
	if env, _ := f.post(t, wire.PathAuth, map[string]any{"login": "api", "password": "nope", "token": ""}); env.Status != wire.StatusError {
		t.Fatalf("wrong password: %s", env.Status)
	}
	if env, _ := f.post(t, wire.PathOrdersGet, map[string]any{"token": ""}); env.Status != wire.StatusAuthorizationError {
		t.Fatalf("no token: %s", env.Status)
	}
	if env, _ := f.post(t, wire.PathOrdersGet, map[string]any{"token": "0123456789abcdef0123456789abcdef"}); env.Status != wire.StatusUnauthorized {
		t.Fatalf("unknown token: %s", env.Status)
	}
	f.sb.Clock().Advance(599 * time.Second)
	if env, _ := f.post(t, wire.PathOrdersGet, map[string]any{}); env.Status != wire.StatusOK {
		t.Fatalf("token at 599 s: %s", env.Status)
	}
	f.sb.Clock().Advance(time.Second)
	if env, _ := f.post(t, wire.PathOrdersGet, map[string]any{}); env.Status != wire.StatusUnauthorized {
		t.Fatalf("token at 600 s: %s", env.Status)
	}
	for _, r := range f.sb.Recorder().Requests() {
		if strings.Contains(string(r.Body), f.token) || strings.Contains(string(r.Body), "s3cret") {
			t.Fatalf("a secret was recorded: %s %s", r.Path, r.Body)
		}
	}
}

func TestOrdersGetFiltersAndQuirks(t *testing.T) {
	f := newFixture(t, 300, 20)
	list := func(body map[string]any) (string, []json.RawMessage) {
		env, raw := f.post(t, wire.PathOrdersGet, body)
		var l wire.OrderList
		if env.Status == wire.StatusOK {
			if err := json.Unmarshal(env.Response, &l); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
		}
		return env.Status, l.Orders
	}
	if st, all := list(map[string]any{}); st != wire.StatusOK || len(all) != 300 {
		t.Fatalf("all: %s %d", st, len(all))
	}
	if st, _ := list(map[string]any{"offset": 20}); st != wire.StatusOK {
		t.Fatal("offset alone")
	} else if _, page := list(map[string]any{"offset": 20, "limit": 10}); len(page) != 10 || !strings.Contains(string(page[0]), `"order_id":1021`) {
		t.Fatalf("offset 20 limit 10 starts with %.40s", page[0])
	}
	if st, orders := list(map[string]any{"offset": 20}); len(orders) != 300 {
		t.Fatalf("offset without limit is ignored (§1.4): %s %d", st, len(orders))
	}
	// One day, four date forms, inclusive bounds.
	day := kyivWall(testNow.Add(-48 * time.Hour))[:10]
	_, a := list(map[string]any{"from": day, "to": day})
	_, b := list(map[string]any{"from": day[8:10] + "." + day[5:7] + "." + day[:4] + " 00:00:00", "to": day + " 23:59:59"})
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("one day: %d vs %d orders", len(a), len(b))
	}
	if env, _ := f.post(t, wire.PathOrdersGet, map[string]any{"from": "2026/01/01"}); env.Status != wire.StatusError {
		t.Fatalf("bad date: %s", env.Status)
	}
	_, one := list(map[string]any{"status": 3})
	_, two := list(map[string]any{"status": []int{3, 6}})
	if len(one) == 0 || len(two) <= len(one) {
		t.Fatalf("status filters: %d, %d", len(one), len(two))
	}
	if env, raw := f.post(t, wire.PathOrdersGet, map[string]any{"ids": []int{999999}}); env.Status != wire.StatusEmpty || string(env.Response) != "[]" {
		t.Fatalf("nothing matched: %s", raw)
	}
	if env, _ := f.post(t, "/api/orders/nope/", map[string]any{}); env.Status != wire.StatusUndefinedFunction {
		t.Fatalf("unknown function: %s", env.Status)
	}
	// Wire quirks somewhere in the seeded data.
	_, all := list(map[string]any{"additionalData": true})
	joined := join(all)
	for _, want := range []string{`"utm_campaign":2396443`, `"order_without_callback":true`, `"tnNumber":null`, `"tnNumber":"20450`, `"payed":0`, `"coupon_code":"`, `"recipient_warehouse_ref":`, `"type":"gift"`, `"customer_details":`} {
		if !strings.Contains(joined, want) {
			t.Errorf("no order carries %s", want)
		}
	}
	if _, plain := list(map[string]any{}); strings.Contains(join(plain), "recipient_warehouse_ref") {
		t.Error("recipient_warehouse_ref without additionalData")
	}
}

func TestOrdersUpdateValidatesLikeTheRealOne(t *testing.T) {
	f := newFixture(t, 0, 5)
	id := f.sb.AddOrder(f.store, func(o *wire.Order) { o.StatStatus, o.Payed = 1, false })
	env, raw := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []map[string]any{
		{"order_id": id, "status": 2, "paid": 1},
		{"order_id": id, "payed": 1, "tracking_code": "0500123456789"},
		{"order_id": id, "status": 5},
		{"order_id": id, "paid": 2},
		{"order_id": id, "paid": 1, "payed": 0},
		{"order_id": 424242, "status": 2},
		{"order_id": id},
	}})
	var resp wire.UpdateResponse
	if env.Status != wire.StatusWarning || json.Unmarshal(env.Response, &resp) != nil || len(resp.Log) != 7 {
		t.Fatalf("update: %s", raw)
	}
	got := make([]string, len(resp.Log))
	for i, l := range resp.Log {
		got[i] = l.Status
	}
	if want := []string{"OK", "OK", "ERROR", "ERROR", "ERROR", "ERROR", "ERROR"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("log statuses %v, want %v: %s", got, want, raw)
	}
	o, _ := f.sb.Order(f.store, id)
	if o.StatStatus != 2 || !bool(o.Payed) || o.DeliveryData == nil || *o.DeliveryData.TNNumber != "0500123456789" {
		t.Fatalf("after update: %+v", o)
	}
	if env, _ := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []any{}}); env.Status != wire.StatusError {
		t.Fatalf("empty orders: %s", env.Status)
	}
	if env, _ := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []map[string]any{{"order_id": id, "status": 4}}}); env.Status != wire.StatusOK {
		t.Fatalf("cancel: %s", env.Status)
	}
	if err := f.sb.SetPayment(f.store, id, false); err == nil || err.Error() != msgCancelled {
		t.Fatalf("a cancelled order changed: %v", err)
	}
}

func TestCatalogExportLimitsAndStatuses(t *testing.T) {
	f := newFixture(t, 0, 700)
	count := func(body map[string]any) int {
		env, raw := f.post(t, wire.PathCatalogExport, body)
		var l wire.CatalogList
		if env.Status != wire.StatusOK || json.Unmarshal(env.Response, &l) != nil {
			t.Fatalf("export: %s", raw)
		}
		return len(l.Products)
	}
	for _, c := range []struct {
		body map[string]any
		want int
	}{
		{map[string]any{}, 500}, {map[string]any{"limit": 0}, 0}, {map[string]any{"limit": 900}, 500},
		{map[string]any{"offset": 650, "limit": 100}, 50}, {map[string]any{"expr": map[string]any{"article": "HS1-00007"}}, 1},
		{map[string]any{"expr": map[string]any{"article": []string{"HS1-00007", "HS1-00008", "nope"}}}, 2},
	} {
		if got := count(c.body); got != c.want {
			t.Errorf("%v: %d products, want %d", c.body, got, c.want)
		}
	}
	if env, _ := f.post(t, wire.PathCatalogExport, map[string]any{"expr": "parent"}); env.Status != wire.StatusException {
		t.Fatalf("bad expr: %s", env.Status)
	}
	env, raw := f.post(t, wire.PathOrderStatuses, map[string]any{})
	var l wire.StatusList
	if env.Status != wire.StatusOK || json.Unmarshal(env.Response, &l) != nil || len(l.Statuses) != 5 || l.Statuses["3"].Title["ua"] != "Доставлене" {
		t.Fatalf("statuses keyed by id: %s", raw)
	}
}

func TestHTMLModeAndDeterminism(t *testing.T) {
	f := newFixture(t, 50, 10)
	f.sb.HTML(true)
	resp, err := http.Post(f.srv.URL+wire.PathOrdersGet, "application/json", strings.NewReader(`{"token":"`+f.token+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Fatalf("HTML mode: %d %.40s", resp.StatusCode, b)
	}
	g := newFixture(t, 50, 10)
	if !reflect.DeepEqual(f.sb.Orders(f.store), g.sb.Orders(g.store)) || !reflect.DeepEqual(f.sb.Products(f.store), g.sb.Products(g.store)) {
		t.Fatal("the same seed gave different data")
	}
}

func join(records []json.RawMessage) string {
	parts := make([]string, len(records))
	for i, r := range records {
		parts[i] = string(r)
	}
	return strings.Join(parts, "\n")
}

func TestCatalogImportUpdatesTheCatalog(t *testing.T) {
	f := newFixture(t, 0, 60)
	products := f.sb.Products(f.store)
	a, b := products[0].Article, products[1].Article
	env, raw := f.post(t, wire.PathCatalogImport, map[string]any{"products": []map[string]any{
		{"article": a, "presence": wire.PresenceOutOfStock, "quantity": 0},
		{"article": b, "presence": wire.PresenceInStock, "quantity": 17},
		{"article": "NO-SUCH", "presence": wire.PresenceInStock},
		{"presence": wire.PresenceInStock},
		{"article": a, "presence": "є"},
		{"article": a, "quantity": -1},
		{"article": a, "presense": wire.PresenceInStock},
	}})
	var resp wire.ImportResponse
	if env.Status != wire.StatusWarning || json.Unmarshal(env.Response, &resp) != nil || len(resp.Log) != 7 {
		t.Fatalf("import: %s", raw)
	}
	var got []string
	for _, l := range resp.Log {
		got = append(got, l.Status+":"+string(l.Code))
	}
	if want := []string{"OK:0", "OK:0", "ERROR:6", "ERROR:2", "ERROR:2", "ERROR:2", "ERROR:11"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("log %v, want %v: %s", got, want, raw)
	}
	if resp.Log[0].Article != a || resp.Log[2].Text() == "" {
		t.Fatalf("log entries name the article and the cause: %s", raw)
	}
	// catalog/export shows the change; the refused items changed nothing.
	env, raw = f.post(t, wire.PathCatalogExport, map[string]any{"expr": map[string]any{"article": []string{a, b}}})
	var l wire.CatalogList
	if env.Status != wire.StatusOK || json.Unmarshal(env.Response, &l) != nil || len(l.Products) != 2 {
		t.Fatalf("export: %s", raw)
	}
	var pa, pb wire.CatalogProduct
	_ = json.Unmarshal(l.Products[0], &pa)
	_ = json.Unmarshal(l.Products[1], &pb)
	if pa.Presence != wire.PresenceOutOfStock || pa.Quantity != "0" || pb.Presence != wire.PresenceInStock || pb.Quantity != "17" {
		t.Fatalf("after import: %+v / %+v", pa, pb)
	}
	if len(f.sb.Products(f.store)) != 60 {
		t.Fatal("an unknown article created a product")
	}

	many := make([]map[string]any, wire.ImportBatchMax+1)
	for i := range many {
		many[i] = map[string]any{"article": products[i].Article, "quantity": 1}
	}
	if env, _ := f.post(t, wire.PathCatalogImport, map[string]any{"products": many}); env.Status != wire.StatusError {
		t.Fatalf("%d products in one call: %s", len(many), env.Status)
	}
	if env, _ := f.post(t, wire.PathCatalogImport, map[string]any{"products": many[:wire.ImportBatchMax]}); env.Status != wire.StatusOK {
		t.Fatalf("%d products in one call: %s", wire.ImportBatchMax, env.Status)
	}
	if env, _ := f.post(t, wire.PathCatalogImport, map[string]any{"products": []any{}}); env.Status != wire.StatusError {
		t.Fatalf("no products: %s", env.Status)
	}
}
