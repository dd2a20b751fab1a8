package horoshop

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/kramar/kramar/transforms/timeconv"
)

type fixture struct{ kittest.Served[*Sandbox] }

func newFixture(t *testing.T, nOrders, nProducts int) *fixture {
	t.Helper()
	sb := New(Options{Clock: kit.NewClock(kittest.Now), Seed: 5})
	f := &fixture{kittest.Served[*Sandbox]{SB: sb, Srv: kittest.Serve(t, sb.Handler()), Store: sb.AddStore("api", "s3cret", nOrders, nProducts)}}
	env, raw := f.post(t, wire.PathAuth, map[string]any{"login": "api", "password": "s3cret"})
	var auth wire.AuthResponse
	if env.Status != wire.StatusOK || json.Unmarshal(env.Response, &auth) != nil || len(auth.Token) != 32 {
		t.Fatalf("auth: %s", raw)
	}
	f.Token = auth.Token
	return f
}

// post sends body (with the fixture's token, unless body sets its own) and
// returns the envelope and the raw answer.
func (f *fixture) post(t *testing.T, path string, body map[string]any) (wire.Envelope, string) {
	t.Helper()
	if _, set := body["token"]; !set && f.Token != "" {
		body["token"] = f.Token
	}
	code, _, raw := kittest.Do(t, nil, http.MethodPost, f.Srv.URL+path, http.Header{"Content-Type": {"application/json"}}, body)
	var env wire.Envelope
	_ = json.Unmarshal(raw, &env)
	if code != http.StatusOK {
		t.Fatalf("%s answered HTTP %d: %s", path, code, raw)
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
	f.SB.Clock().Advance(599 * time.Second)
	if env, _ := f.post(t, wire.PathOrdersGet, map[string]any{}); env.Status != wire.StatusOK {
		t.Fatalf("token at 599 s: %s", env.Status)
	}
	f.SB.Clock().Advance(time.Second)
	if env, _ := f.post(t, wire.PathOrdersGet, map[string]any{}); env.Status != wire.StatusUnauthorized {
		t.Fatalf("token at 600 s: %s", env.Status)
	}
	for _, r := range f.SB.Recorder().Requests() {
		if strings.Contains(string(r.Body), f.Token) || strings.Contains(string(r.Body), "s3cret") {
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
		t.Fatalf("offset without limit is ignored: %s %d", st, len(orders))
	}
	// One day, four date forms, inclusive bounds.
	day := timeconv.FormatKyiv(kittest.Now.Add(-48*time.Hour), wire.TimeLayout)[:10]
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
	id := f.SB.AddOrder(f.Store, func(o *wire.Order) { o.StatStatus, o.Payed = 1, false })
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
	o, _ := f.SB.Order(f.Store, id)
	if o.StatStatus != 2 || !bool(o.Payed) || f.SB.TrackingCode(f.Store, id) != "0500123456789" {
		t.Fatalf("after update: status %d, payed %v, tracking code %q", o.StatStatus, o.Payed, f.SB.TrackingCode(f.Store, id))
	}
	if env, _ := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []any{}}); env.Status != wire.StatusError {
		t.Fatalf("empty orders: %s", env.Status)
	}
	if env, _ := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []map[string]any{{"order_id": id, "status": 4}}}); env.Status != wire.StatusOK {
		t.Fatalf("cancel: %s", env.Status)
	}
	if err := f.SB.SetPayment(f.Store, id, false); err == nil || err.Error() != msgCancelled {
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
	f.SB.HTML(true)
	code, _, b := kittest.Do(t, nil, http.MethodPost, f.Srv.URL+wire.PathOrdersGet, http.Header{"Content-Type": {"application/json"}}, `{"token":"`+f.Token+`"}`)
	if code != 200 || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Fatalf("HTML mode: %d %.40s", code, b)
	}
	g := newFixture(t, 50, 10)
	if !reflect.DeepEqual(f.SB.Orders(f.Store), g.SB.Orders(g.Store)) || !reflect.DeepEqual(f.SB.Products(f.Store), g.SB.Products(g.Store)) {
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
	products := f.SB.Products(f.Store)
	a, b := products[0].Article, products[1].Article
	env, raw := f.post(t, wire.PathCatalogImport, map[string]any{"products": []map[string]any{
		{"article": a, "presence": "Немає в наявності", "quantity": 0},
		{"article": b, "presence": "Є в наявності", "quantity": 17},
		{"article": "NO-SUCH", "presence": "Є в наявності"},
		{"presence": "Є в наявності"},
		{"article": a, "presence": "є"},
		{"article": a, "quantity": -1},
		{"article": a, "presense": "Є в наявності"},
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
	if pa.Presence != "Немає в наявності" || pa.Quantity != "0" || pb.Presence != "Є в наявності" || pb.Quantity != "17" {
		t.Fatalf("after import: %+v / %+v", pa, pb)
	}
	if len(f.SB.Products(f.Store)) != 60 {
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

// export reads products through catalog/export, keyed by article.
func (f *fixture) export(t *testing.T, body map[string]any) map[string]map[string]json.RawMessage {
	t.Helper()
	env, raw := f.post(t, wire.PathCatalogExport, body)
	var l struct {
		Products []map[string]json.RawMessage `json:"products"`
	}
	if env.Status != wire.StatusOK || json.Unmarshal(env.Response, &l) != nil {
		t.Fatalf("export: %s", raw)
	}
	out := map[string]map[string]json.RawMessage{}
	for _, p := range l.Products {
		var a string
		_ = json.Unmarshal(p["article"], &a)
		out[a] = p
	}
	return out
}

func importLog(t *testing.T, f *fixture, path string, products any) (string, []wire.ImportLog) {
	t.Helper()
	env, raw := f.post(t, path, map[string]any{"products": products})
	var resp wire.ImportResponse
	if json.Unmarshal(env.Response, &resp) != nil {
		t.Fatalf("%s: %s", path, raw)
	}
	return env.Status, resp.Log
}

// A shop with warehouse accounting answers «Товар обновлен» to quantity
// and presence and changes nothing (IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md, measured: import quantity 5, export
// still 0); residues per warehouse move the stock, and availability
// follows it.
func TestWarehouseAccountingShopIgnoresQuantityAndAppliesResidues(t *testing.T) {
	f := newFixture(t, 0, 5)
	a := f.SB.Products(f.Store)[0].Article
	if err := f.SB.UseWarehouses(f.Store, "office", "kyiv"); err != nil {
		t.Fatal(err)
	}
	must(t, f.SB.SetStock(f.Store, a, "office", 0))

	status, log := importLog(t, f, wire.PathCatalogImport, []map[string]any{{"article": a, "quantity": 5, "presence": "Є в наявності"}})
	if status != wire.StatusOK || len(log) != 1 || log[0].Status != wire.StatusOK || log[0].Text() != "Товар обновлен" {
		t.Fatalf("import of quantity: %s %+v", status, log)
	}
	p := f.export(t, map[string]any{"expr": map[string]any{"article": a}})[a]
	if string(p["quantity"]) != "0" || string(p["presence"]) != `"Немає в наявності"` {
		t.Fatalf("quantity and presence moved a warehouse-accounting shop: %s / %s", p["quantity"], p["presence"])
	}

	status, log = importLog(t, f, wire.PathCatalogImport, []map[string]any{
		{"article": a, "residues": []map[string]any{{"warehouse": "office", "quantity": 5}, {"warehouse": "kyiv", "quantity": 2}}},
		{"article": a, "residues": []map[string]any{{"warehouse": "affice", "quantity": 1}}},
	})
	if status != wire.StatusWarning || log[0].Status != wire.StatusOK || log[1].Status != wire.StatusError || log[1].Text() != "Warehouse affice is not defined" {
		t.Fatalf("residues: %s %+v", status, log)
	}
	if n, _ := f.SB.WarehouseStock(f.Store, a, "office"); n != 5 {
		t.Fatalf("office holds %d, want 5", n)
	}
	p = f.export(t, map[string]any{"expr": map[string]any{"article": a}, "includedParams": []string{"quantity", "presence"}})[a]
	if string(p["quantity"]) != "7" || string(p["presence"]) != `"Є в наявності"` || p["price"] != nil {
		t.Fatalf("after residues: %v", p)
	}

	// The outdated catalog/importResidues writes the same ledger.
	status, log = importLog(t, f, wire.PathCatalogImportResidues, []map[string]any{
		{"article": a, "warehouse": "kyiv", "quantity": 0}, {"article": a, "warehouse": "affice", "quantity": 2},
	})
	if status != wire.StatusWarning || log[0].Text() != "UPDATED" || log[1].Text() != "Warehouse affice is not defined" {
		t.Fatalf("importResidues: %s %+v", status, log)
	}
	if n, _ := f.SB.WarehouseStock(f.Store, a, "kyiv"); n != 0 {
		t.Fatalf("kyiv holds %d, want 0", n)
	}
}

// Without warehouse accounting quantity and presence are applied, and
// residues change nothing (ecomkit-com-ua/horoshop-mcp src/tools/catalog.ts).
func TestShopWithoutWarehouseAccountingAppliesQuantityAndPresence(t *testing.T) {
	f := newFixture(t, 0, 5)
	a := f.SB.Products(f.Store)[0].Article
	_, log := importLog(t, f, wire.PathCatalogImport, []map[string]any{
		{"article": a, "quantity": 3, "presence": "Немає в наявності"},
		{"article": a, "presence": "В наявності"}, // not this shop's wording
		{"article": a, "residues": []map[string]any{{"warehouse": "office", "quantity": 9}}},
	})
	if log[0].Status != wire.StatusOK || log[1].Status != wire.StatusError || log[2].Status != wire.StatusOK {
		t.Fatalf("log: %+v", log)
	}
	p := f.SB.Products(f.Store)[0]
	if p.Quantity != "3" || p.Presence != "Немає в наявності" {
		t.Fatalf("product after import: %s / %s", p.Quantity, p.Presence)
	}
}

// tracking_code is kept for the buyer's profile; delivery_data.tnNumber
// stays null until Horoshop's own Nova Poshta integration makes a waybill,
// and orders/get does not return the tracking code (wiki "Updating
// Orders", https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321;
// IgorShutko/horoshop-mcp docs/tools/orders-public-api.md).
func TestTrackingCodeIsKeptButNotEchoed(t *testing.T) {
	f := newFixture(t, 0, 5)
	id := f.SB.AddOrder(f.Store, func(o *wire.Order) {
		o.StatStatus, o.DeliveryData = 2, &wire.DeliveryData{DeliveryOperatorType: "novaposhta"}
	})
	if env, raw := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []map[string]any{{"order_id": id, "status": 6, "tracking_code": "20450000001234"}}}); env.Status != wire.StatusOK {
		t.Fatalf("update: %s", raw)
	}
	_, raw := f.post(t, wire.PathOrdersGet, map[string]any{"ids": []int64{id}})
	if !strings.Contains(raw, `"tnNumber":null`) || strings.Contains(raw, "20450000001234") || strings.Contains(raw, "tracking_code") {
		t.Fatalf("orders/get after a tracking_code: %s", raw)
	}
	if got := f.SB.TrackingCode(f.Store, id); got != "20450000001234" {
		t.Fatalf("tracking code kept: %q", got)
	}
	must(t, f.SB.SetTTN(f.Store, id, "20450000005555")) // the NP integration's own waybill
	if _, raw := f.post(t, wire.PathOrdersGet, map[string]any{"ids": []int64{id}}); !strings.Contains(raw, `"tnNumber":"20450000005555"`) {
		t.Fatalf("orders/get after the NP integration: %s", raw)
	}
}

// Cancelling through orders/update leaves the goods deducted and locks the
// order; the admin's cancel with return_quantity gives them back
// (IgorShutko/horoshop-mcp docs/tools/orders-public-api.md, measured).
func TestCancelThroughTheAPIKeepsGoodsDeducted(t *testing.T) {
	f := newFixture(t, 0, 5)
	a := f.SB.Products(f.Store)[1].Article
	must(t, f.SB.UseWarehouses(f.Store, "office"))
	must(t, f.SB.SetStock(f.Store, a, "office", 10))
	order := func() int64 {
		return f.SB.AddOrder(f.Store, func(o *wire.Order) {
			o.StatStatus = 1
			o.Products = []wire.Product{{Title: "x", Article: a, Price: "100", Quantity: "3", TotalPrice: "300", Type: "product"}}
		})
	}
	api, admin := order(), order()
	if n, _ := f.SB.WarehouseStock(f.Store, a, "office"); n != 4 {
		t.Fatalf("two orders of 3 left %d of 10", n)
	}
	if env, raw := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []map[string]any{{"order_id": api, "status": 4}}}); env.Status != wire.StatusOK {
		t.Fatalf("cancel: %s", raw)
	}
	if n, _ := f.SB.WarehouseStock(f.Store, a, "office"); n != 4 {
		t.Fatalf("an API cancel returned goods: %d", n)
	}
	env, raw := f.post(t, wire.PathOrdersUpdate, map[string]any{"orders": []map[string]any{{"order_id": api, "tracking_code": "1"}}})
	if env.Status != wire.StatusWarning || !strings.Contains(raw, msgCancelled) {
		t.Fatalf("an edit of a cancelled order: %s", raw)
	}
	must(t, f.SB.CancelInAdmin(f.Store, admin, true))
	if n, _ := f.SB.WarehouseStock(f.Store, a, "office"); n != 7 {
		t.Fatalf("the admin cancel left %d, want 7", n)
	}
	if err := f.SB.CancelInAdmin(f.Store, api, true); err == nil {
		t.Fatal("a cancelled order was cancelled again")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The catalog has modifications (parent_article names a product of the
// shop), categories placed in a tree (`Дім \ Освітлення`) and one to three
// images per product.
func TestCatalogHasModificationsPathsAndImages(t *testing.T) {
	f := newFixture(t, 0, 9)
	products := f.export(t, map[string]any{})
	modifications, paths := 0, 0
	images := map[int]int{}
	for article, p := range products {
		var parent string
		_ = json.Unmarshal(p["parent_article"], &parent)
		if parent != "" {
			if _, ok := products[parent]; !ok || parent == article {
				t.Errorf("%s: parent_article %q is not another product of the shop", article, parent)
			}
			modifications++
		}
		var cat struct {
			Value map[string]string `json:"value"`
		}
		if err := json.Unmarshal(p["parent"], &cat); err != nil || cat.Value["ua"] == "" {
			t.Fatalf("%s: parent %s", article, p["parent"])
		}
		if strings.Contains(cat.Value["ua"], ` \ `) {
			paths++
		}
		var imgs []string
		if err := json.Unmarshal(p["images"], &imgs); err != nil {
			t.Fatalf("%s: images %s", article, p["images"])
		}
		images[len(imgs)]++
	}
	if len(products) != 9 || modifications != 3 || paths == 0 || images[1] != 3 || images[2] != 3 || images[3] != 3 {
		t.Fatalf("%d products, %d modifications, %d paths, images per product %v", len(products), modifications, paths, images)
	}
}
