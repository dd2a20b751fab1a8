package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/horoshop/horoshoptest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	hssb "github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
)

// hsOutbound maps the CRM's statuses onto Horoshop's built-in ids.
const hsOutbound = `outbound:
  horoshop:
    Прийнято: {status: "2"}
    Відправлено: {status: "6", ttn: true}
    Скасовано: {status: "4"}
`

// hsFidelity is one Horoshop shop with its orders loaded, push.orders and
// push.stock on, and extra store keys.
type hsFidelity struct {
	m     *pipelinetest.Multi
	sb    *hssb.Sandbox
	store string // the sandbox's shop id
}

func newHSFidelity(t *testing.T, keys string, warehouses ...string) hsFidelity {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	sb := hssb.New(hssb.Options{Clock: clock, Seed: 21})
	spec, sid := horoshoptest.Store(t, sb, "hs-a", 5, 12)
	if len(warehouses) > 0 {
		if err := sb.UseWarehouses(sid, warehouses...); err != nil {
			t.Fatal(err)
		}
	}
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, hsOutbound)
	m.Configure(hsOutbound, map[string]string{"hs-a": "push: {orders: true, stock: true}\n" + keys})
	clock.Advance(time.Minute)
	if r := m.Run(context.Background(), pipeline.JobOrders)["hs-a"]; !r.OK() {
		t.Fatalf("orders: %v", r.Err)
	}
	return hsFidelity{m: m, sb: sb, store: sid}
}

// orderOf3 adds a new order of 3 of article to the shop, pulls it, and
// checks the order took them from the office warehouse, which had had.
func (h hsFidelity) orderOf3(t *testing.T, article string, had int) int64 {
	t.Helper()
	id := h.sb.AddOrder(h.store, func(o *wire.Order) {
		o.StatStatus = 1
		o.Products = []wire.Product{{Title: "x", Article: article, Price: "100", Quantity: "3", TotalPrice: "300", Type: "product"}}
	})
	h.m.Clock.Advance(time.Minute)
	if r := h.m.Run(context.Background(), pipeline.JobOrders)["hs-a"]; !r.OK() {
		t.Fatalf("orders: %v", r.Err)
	}
	if n, _ := h.sb.WarehouseStock(h.store, article, "office"); n != had-3 {
		t.Fatalf("the order left %d of %d", n, had)
	}
	return id
}

// stock imports CRM stock lines "article=quantity".
func (h hsFidelity) stock(t *testing.T, lines map[string]int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("store,external_id,quantity\n")
	for a, q := range lines {
		fmt.Fprintf(&b, "hs-a,%s,%d\n", a, q)
	}
	h.m.Clock.Advance(time.Second)
	importStock(t, h.m, b.String())
}

func (h hsFidelity) push(t *testing.T) pipeline.StoreResult {
	t.Helper()
	h.m.Clock.Advance(time.Minute)
	return h.m.Run(context.Background(), pipeline.JobPush)["hs-a"]
}

// stockSteps are the push log's stock rows: article, quantity, state, reason.
func (h hsFidelity) stockSteps() []string {
	return h.m.Query(`SELECT external_id, quantity, state, reason FROM {db}.v_pushes WHERE store = 'hs-a' AND action = 'stock' ORDER BY external_id, quantity`)
}

// imports are the applied catalog/import bodies' products.
func (h hsFidelity) imports(t *testing.T) [][]map[string]any {
	t.Helper()
	var out [][]map[string]any
	for _, r := range writes(h.sb.Recorder(), wire.PathCatalogImport) {
		var body struct {
			Products []map[string]any `json:"products"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		out = append(out, body.Products)
	}
	return out
}

// A shop with warehouse accounting takes catalog/import's quantity, answers
// «Товар обновлен», and keeps its stock (IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md, measured: import 5, export still 0). A
// store configured without its warehouse must not record that as done.
func TestHoroshopStockAWarehouseShopIgnoresIsRecordedRejected(t *testing.T) {
	h := newHSFidelity(t, "", "office")
	article := h.sb.Products(h.store)[0].Article
	if err := h.sb.SetStock(h.store, article, "office", 2); err != nil {
		t.Fatal(err)
	}
	h.stock(t, map[string]int{article: 9})
	if r := h.push(t); r.Updated != 0 || r.Rejected != 1 {
		t.Fatalf("push: %+v", r)
	}
	imports := h.imports(t)
	if len(imports) != 1 || len(imports[0]) != 1 || imports[0][0]["quantity"] != float64(9) || imports[0][0]["residues"] != nil {
		t.Fatalf("catalog/import: %v", imports)
	}
	steps := h.stockSteps()
	if len(steps) != 1 || !strings.HasPrefix(steps[0], article+"\t9\trejected\t") ||
		!strings.Contains(steps[0], "Товар обновлен") || !strings.Contains(steps[0], "set the store's warehouse") {
		t.Fatalf("push log: %v", steps)
	}
	if n, _ := h.sb.WarehouseStock(h.store, article, "office"); n != 2 {
		t.Fatalf("the shop's stock moved to %d", n)
	}
	// Rejected is final: the same count is not sent again.
	h.push(t)
	if n := len(h.imports(t)); n != 1 {
		t.Fatalf("%d catalog/import calls after a second cycle", n)
	}
}

// A shop without warehouse accounting: quantity, and presence in the shop's
// own words where availability changes; done only when the export shows it.
func TestHoroshopStockWithoutWarehouseLandsAndIsVerified(t *testing.T) {
	h := newHSFidelity(t, "")
	products := h.sb.Products(h.store)
	a, b := products[0].Article, products[1].Article
	for _, p := range []string{a, b} {
		if err := h.sb.SetPresence(h.store, p, "Є в наявності"); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.sb.SetPresence(h.store, products[2].Article, "Немає в наявності"); err != nil {
		t.Fatal(err)
	}
	h.stock(t, map[string]int{a: 6, b: 0, "NO-SUCH": 1})
	if r := h.push(t); r.Updated != 2 || r.Rejected != 1 {
		t.Fatalf("push: %+v", r)
	}
	got := map[string]wire.CatalogProduct{}
	for _, p := range h.sb.Products(h.store) {
		got[p.Article] = p
	}
	if got[a].Quantity != "6" || got[a].Presence != "Є в наявності" || got[b].Quantity != "0" || got[b].Presence != "Немає в наявності" {
		t.Fatalf("shop after the push: %s %s/%s, %s %s/%s", a, got[a].Quantity, got[a].Presence, b, got[b].Quantity, got[b].Presence)
	}
	want := []string{a + "\t6\tdone\t", b + "\t0\tdone\t",
		"NO-SUCH\t1\trejected\tarticle NO-SUCH is not in the shop's catalog (catalog/export does not list it); nothing was sent"}
	if d := pipelinetest.Diff(sortedCopy(want), h.stockSteps()); d != "" {
		t.Fatalf("push log:\n%s", d)
	}
}

// Cancelling through orders/update leaves the goods deducted and locks the
// order (IgorShutko/horoshop-mcp docs/tools/orders-public-api.md, measured).
// The push lands with a note saying so; when the CRM puts the goods back,
// the next stock push restores the shop's count.
func TestHoroshopCancelKeepsStockDeductedAndTheStockPushRestoresIt(t *testing.T) {
	h := newHSFidelity(t, "warehouse: office", "office")
	article := h.sb.Products(h.store)[0].Article
	h.stock(t, map[string]int{article: 10})
	if r := h.push(t); r.Updated != 1 {
		t.Fatalf("first stock push: %+v %v", r, h.stockSteps())
	}
	id := h.orderOf3(t, article, 10)
	h.stock(t, map[string]int{article: 7}) // the CRM reserves the order's goods
	h.push(t)

	order := fmt.Sprint(id)
	recordCRM(t, h.m, pipeline.CRMChange{Store: "hs-a", OrderID: order, Status: "Скасовано"})
	h.stock(t, map[string]int{article: 10}) // and puts them back on cancel
	if r := h.push(t); r.New != 1 || r.Updated != 1 {
		t.Fatalf("cancel cycle: %+v", r)
	}
	log := h.m.Query(`SELECT state, response FROM {db}.v_pushes WHERE store = 'hs-a' AND order_id = ?`, order)
	if len(log) != 1 || !strings.HasPrefix(log[0], "done\t") || !strings.Contains(log[0], "stock NOT returned") {
		t.Fatalf("cancel in the push log: %v", log)
	}
	if n, _ := h.sb.WarehouseStock(h.store, article, "office"); n != 10 {
		t.Fatalf("after the cancel and the stock push the shop holds %d, want 10", n)
	}
	var last []map[string]any
	if imports := h.imports(t); len(imports) > 0 {
		last = imports[len(imports)-1]
	}
	if len(last) != 1 || fmt.Sprint(last[0]["residues"]) != "[map[quantity:10 warehouse:office]]" {
		t.Fatalf("last catalog/import: %v", last)
	}
}

// A CRM that never reserved the goods still has the right count after a
// cancel; the shop does not (the order took 3, the cancel did not give them
// back). kramar sends the cancelled order's articles again in the same
// cycle, and only those.
func TestHoroshopCancelResendsTheStockOfItsGoodsAlthoughTheCRMCountDidNotMove(t *testing.T) {
	h := newHSFidelity(t, "warehouse: office", "office")
	products := h.sb.Products(h.store)
	article, other := products[0].Article, products[1].Article
	h.stock(t, map[string]int{article: 10, other: 4})
	if r := h.push(t); r.Updated != 2 {
		t.Fatalf("first stock push: %+v %v", r, h.stockSteps())
	}
	id := h.orderOf3(t, article, 10)
	before := len(h.imports(t))
	recordCRM(t, h.m, pipeline.CRMChange{Store: "hs-a", OrderID: fmt.Sprint(id), Status: "Скасовано"})
	if r := h.push(t); r.New != 1 || r.Updated != 1 {
		t.Fatalf("cancel cycle: %+v %v", r, h.stockSteps())
	}
	if n, _ := h.sb.WarehouseStock(h.store, article, "office"); n != 10 {
		t.Fatalf("after the cancel the shop holds %d, want the CRM's 10", n)
	}
	imports := h.imports(t)[before:]
	if len(imports) != 1 || len(imports[0]) != 1 || fmt.Sprint(imports[0][0]["article"]) != article {
		t.Fatalf("catalog/import calls after the cancel: %v (want one, of %s only)", imports, article)
	}
	// Nothing moved since: the next cycle sends nothing.
	if r := h.push(t); r.Updated != 0 || len(h.imports(t)) != before+1 {
		t.Fatalf("a quiet cycle sent stock: %+v", r)
	}
}

// The ТТН goes as tracking_code, which orders/get does not return (wiki
// "Updating Orders", https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321):
// the push is done with a note, the shop keeps the code, and the
// warehouse's waybill stays what delivery_data.tnNumber says (none yet).
func TestHoroshopWaybillPushIsRecordedAsNotConfirmed(t *testing.T) {
	h := newHSFidelity(t, "")
	id := h.sb.AddOrder(h.store, func(o *wire.Order) {
		o.StatStatus, o.DeliveryData = 2, &wire.DeliveryData{DeliveryOperatorType: "novaposhta"}
	})
	h.m.Clock.Advance(time.Minute)
	h.m.Run(context.Background(), pipeline.JobOrders)
	order := fmt.Sprint(id)
	recordCRM(t, h.m, pipeline.CRMChange{Store: "hs-a", OrderID: order, Status: "Відправлено", TTN: "20450000112233", Carrier: "nova_poshta"})
	if r := h.push(t); r.New != 1 {
		t.Fatalf("push: %+v", r)
	}
	log := h.m.Query(`SELECT state, ttn, response FROM {db}.v_pushes WHERE store = 'hs-a' AND order_id = ?`, order)
	if len(log) != 1 || !strings.HasPrefix(log[0], "done\t20450000112233\t") || !strings.Contains(log[0], "not confirmed") {
		t.Fatalf("push log: %v", log)
	}
	if got := h.sb.TrackingCode(h.store, id); got != "20450000112233" {
		t.Fatalf("tracking code in the shop: %q", got)
	}
	h.m.Clock.Advance(time.Minute)
	h.m.Run(context.Background(), pipeline.JobOrders)
	if got := h.m.Query(`SELECT marketplace_status, ttn FROM {db}.v_orders WHERE store = 'hs-a' AND external_id = ?`, order); len(got) != 1 || got[0] != "6\t" {
		t.Fatalf("order in the warehouse: %v", got)
	}
}
