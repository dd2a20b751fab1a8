package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/epicentr/epicentrtest"
	"github.com/kramar/kramar/pipeline/connectors/horoshop/horoshoptest"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/connectors/rozetka/rozetkatest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	hssb "github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

// promOutbound maps the CRM's statuses onto Prom's (statuses and cancellation
// reasons as in evo-company/company-api-example, php/api_php_example.php).
const promOutbound = `outbound:
  prom:
    Прийнято: {status: received}
    Відправлено: {status: received, ttn: true}
    Немає в наявності: {status: canceled, cancel_reason: not_available}
    Ціна змінилась: {status: canceled, cancel_reason: price_changed, cancel_text: "Ціна змінилась у постачальника"}
    Виконано: {status: delivered}
`

// newPromPush is one Prom store with orders loaded into the warehouse and
// push.orders on.
func newPromPush(t *testing.T, orders int, push string) (*pipelinetest.Multi, *promsb.Sandbox, string) {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 7})
	spec, token := promtest.Store(t, sb, "prom-a", orders)
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, promOutbound)
	m.Configure(promOutbound, map[string]string{"prom-a": push})
	clock.Advance(time.Minute)
	if r := m.Run(context.Background(), pipeline.JobOrders)["prom-a"]; !r.OK() {
		t.Fatalf("orders: %v", r.Err)
	}
	return m, sb, token
}

// ordersIn lists the store's orders the warehouse holds in a marketplace status.
func ordersIn(m *pipelinetest.Multi, store, status string) []string {
	return m.Query(`SELECT external_id FROM {db}.v_orders WHERE store = ? AND marketplace_status = ? ORDER BY external_id`, store, status)
}

// recordCRM inserts CRM changes as another system would.
func recordCRM(t *testing.T, m *pipelinetest.Multi, changes ...pipeline.CRMChange) {
	t.Helper()
	for _, c := range changes {
		if c.ChangedAt.IsZero() {
			c.ChangedAt = m.Clock.Now()
		}
		if c.ChangedBy == "" {
			c.ChangedBy = "менеджер Оля"
		}
		u, err := pipeline.NewCRMUpdate(m.Cfg, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.WH.RecordCRMUpdates(context.Background(), []clickhouse.CRMUpdate{u}); err != nil {
			t.Fatal(err)
		}
	}
}

// writes are the recorded requests to a write path that the marketplace
// applied (Handled 2xx), whatever the client saw.
func writes(rec *kit.Recorder, path string) []kit.Request {
	var out []kit.Request
	for _, r := range rec.Requests() {
		if r.Path == path && r.Method != http.MethodGet && r.Handled >= 200 && r.Handled < 300 {
			out = append(out, r)
		}
	}
	return out
}

// sent are all recorded requests to path, applied or not.
func sent(rec *kit.Recorder, path string) int {
	n := 0
	for _, r := range rec.Requests() {
		if r.Path == path && r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

// bodyHas fails unless the JSON body holds every key of want with its value.
func bodyHas(t *testing.T, body []byte, want map[string]any) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	for k, v := range want {
		wb, _ := json.Marshal(v)
		var wv any
		_ = json.Unmarshal(wb, &wv)
		if !reflect.DeepEqual(got[k], wv) {
			t.Errorf("body %s: %s = %v, want %v", body, k, got[k], wv)
		}
	}
}

func pushStates(m *pipelinetest.Multi, store string) []string {
	return m.Query(`SELECT order_id, action, state, to_status, ttn, reason FROM {db}.v_pushes WHERE store = ? AND action != 'stock' ORDER BY order_id, action`, store)
}

func TestPromPushSendsEachChangeOnceWithMappedStatusReasonAndTTN(t *testing.T) {
	m, sb, token := newPromPush(t, 60, "push: {orders: true}")
	pending := ordersIn(m, "prom-a", "pending")
	if len(pending) < 4 {
		t.Fatalf("need 4 pending orders, have %v", pending)
	}
	accept, ship, cancel, priced := pending[0], pending[1], pending[2], pending[3]
	recordCRM(t, m,
		pipeline.CRMChange{Store: "prom-a", OrderID: accept, Status: "Прийнято"},
		pipeline.CRMChange{Store: "prom-a", OrderID: ship, Status: "Відправлено", TTN: "20450012345678", Carrier: "nova_poshta"},
		pipeline.CRMChange{Store: "prom-a", OrderID: cancel, Status: "Немає в наявності"},
		pipeline.CRMChange{Store: "prom-a", OrderID: priced, Status: "Ціна змінилась"},
	)
	m.Clock.Advance(time.Minute)
	res := m.Run(context.Background(), pipeline.JobPush)["prom-a"]
	if !res.OK() || res.New != 5 {
		t.Fatalf("push: %+v\n%s", res, m.Logs)
	}

	rec := sb.Recorder()
	statuses := writes(rec, promsb.APIPath+"/orders/set_status")
	decls := writes(rec, promsb.APIPath+"/delivery/save_declaration_id")
	if len(statuses) != 4 || len(decls) != 1 || sent(rec, promsb.APIPath+"/orders/set_status") != 4 {
		t.Fatalf("want 4 set_status and 1 save_declaration_id, got %d and %d", len(statuses), len(decls))
	}
	want := map[string]map[string]any{
		accept: {"status": "received"},
		ship:   {"status": "received"},
		cancel: {"status": "canceled", "cancellation_reason": "not_available"},
		priced: {"status": "canceled", "cancellation_reason": "price_changed", "cancellation_text": "Ціна змінилась у постачальника"},
	}
	for _, r := range statuses {
		var b struct{ IDs []int64 }
		_ = json.Unmarshal(r.Body, &b)
		id := fmt.Sprint(b.IDs[0])
		bodyHas(t, r.Body, want[id])
		delete(want, id)
	}
	if len(want) != 0 {
		t.Errorf("no set_status for %v", want)
	}
	bodyHas(t, decls[0].Body, map[string]any{"declaration_id": "20450012345678", "delivery_type": "nova_poshta"})

	for id, status := range map[string]string{accept: "received", ship: "received", cancel: "canceled", priced: "canceled"} {
		var n int64
		fmt.Sscan(id, &n)
		o, _ := sb.Order(sb.StoreID(token), n)
		if o.Status != status {
			t.Errorf("order %s: status %s, want %s", id, o.Status, status)
		}
	}
	if got := pushStates(m, "prom-a"); len(got) != 5 {
		t.Errorf("push log: %v", got)
	}

	// The next cycle has nothing to send.
	before := len(rec.Requests())
	if res := m.Run(context.Background(), pipeline.JobPush)["prom-a"]; !res.OK() || res.Fetched != 0 {
		t.Fatalf("second push: %+v", res)
	}
	if after := len(rec.Requests()); after != before {
		t.Errorf("second cycle made %d requests", after-before)
	}
}

// outboundAll maps the CRM's statuses for Rozetka (GERA-OneTeam/Rozetka-API-Seller,
// docs/categories/models.md OrdersStatuses and orders.md), Horoshop
// (https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183381) and
// Epicentr (the codes its change-status URLs take).
const outboundAll = `outbound:
  rozetka:
    Прийнято: {status: "26"}
    Передано перевізнику: {status: "61", ttn: true}
    Відправлено: {status: "3", ttn: true}
    Немає в наявності: {status: "42"}
    Виконано: {status: "6"}
  horoshop:
    Прийнято: {status: "2"}
    Відправлено: {status: "6", ttn: true}
    Скасовано: {status: "4"}
  epicentr:
    Прийнято: {status: confirmed}
    Відправлено: {status: sent, ttn: true}
    Скасовано: {status: canceled, cancel_reason: customer_failed_to_contact, cancel_text: "Не відповідає на дзвінки"}
`

type multiPush struct {
	m  *pipelinetest.Multi
	rz *rzsb.Sandbox
	hs *hssb.Sandbox
	ep *epsb.Sandbox
}

func newMultiPush(t *testing.T) multiPush {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	p := multiPush{
		rz: rzsb.New(rzsb.Options{Clock: clock, Seed: 3}),
		hs: hssb.New(hssb.Options{Clock: clock, Seed: 3}),
		ep: epsb.New(epsb.Options{Clock: clock, Seed: 3}),
	}
	rz, _ := rozetkatest.Store(t, p.rz, "rz-a", 60, 20)
	hs, _ := horoshoptest.Store(t, p.hs, "hs-a", 60, 20)
	ep, _ := epicentrtest.Store(t, p.ep, "ep-a", 60)
	p.m = pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{rz, hs, ep}, "")
	on := "push: {orders: true}"
	p.m.Configure(outboundAll, map[string]string{"rz-a": on, "hs-a": on, "ep-a": on})
	clock.Advance(time.Minute)
	for id, r := range p.m.Run(context.Background(), pipeline.JobOrders) {
		if !r.OK() {
			t.Fatalf("orders of %s: %v", id, r.Err)
		}
	}
	return p
}

// newOrders returns the new orders of each store, at least as many as asked.
func (p multiPush) newOrders(t *testing.T, rz, hs, ep int) (rzNew, hsNew, epNew []string) {
	t.Helper()
	rzNew, hsNew, epNew = ordersIn(p.m, "rz-a", "1"), ordersIn(p.m, "hs-a", "1"), ordersIn(p.m, "ep-a", "new")
	if len(rzNew) < rz || len(hsNew) < hs || len(epNew) < ep {
		t.Fatalf("new orders: rozetka %d, horoshop %d, epicentr %d", len(rzNew), len(hsNew), len(epNew))
	}
	return rzNew, hsNew, epNew
}

// appliedWrites lists the applied write requests of a sandbox as
// "METHOD path body".
func appliedWrites(rec *kit.Recorder) []kit.Request {
	var out []kit.Request
	for _, r := range rec.Requests() {
		if r.Method != http.MethodGet && r.Handled >= 200 && r.Handled < 300 && !isReadPath(r.Path) {
			out = append(out, r)
		}
	}
	return out
}

// isReadPath: Horoshop reads with POST too.
func isReadPath(p string) bool {
	return strings.HasSuffix(p, "/orders/get/") || strings.HasSuffix(p, "/auth/") || strings.HasSuffix(p, "/get_available_statuses/") ||
		strings.HasSuffix(p, "/catalog/export/") || p == "/sites"
}

func TestPushRozetkaHoroshopEpicentrOneCorrectRequestPerAction(t *testing.T) {
	p := newMultiPush(t)
	m := p.m
	rzNew, hsNew, epNew := p.newOrders(t, 3, 1, 2)
	np := func(i int) string { return fmt.Sprintf("2045000011%04d", i) }
	recordCRM(t, m,
		pipeline.CRMChange{Store: "rz-a", OrderID: rzNew[0], Status: "Передано перевізнику", TTN: np(1), Carrier: "nova_poshta"},
		pipeline.CRMChange{Store: "rz-a", OrderID: rzNew[1], Status: "Немає в наявності"},
		pipeline.CRMChange{Store: "rz-a", OrderID: rzNew[2], Status: "Виконано"}, // 1 → 6 is not in Rozetka's graph
		pipeline.CRMChange{Store: "hs-a", OrderID: hsNew[0], Status: "Відправлено", TTN: np(2), Carrier: "nova_poshta"},
		pipeline.CRMChange{Store: "ep-a", OrderID: epNew[0], Status: "Прийнято"},
		pipeline.CRMChange{Store: "ep-a", OrderID: epNew[1], Status: "Скасовано"},
	)
	m.Clock.Advance(time.Minute)
	res := m.Run(context.Background(), pipeline.JobPush)
	if r := res["rz-a"]; r.New != 2 || r.Rejected != 1 {
		t.Errorf("rozetka: %+v", r)
	}

	// Rozetka: one PUT per change that may go; none for 1 → 6.
	rz := appliedWrites(p.rz.Recorder())
	if len(rz) != 2 || sent(p.rz.Recorder(), "/orders/"+rzNew[2]) != 0 {
		t.Fatalf("rozetka writes: %d, to the invalid one %d", len(rz), sent(p.rz.Recorder(), "/orders/"+rzNew[2]))
	}
	for _, r := range rz {
		switch r.Path {
		case "/orders/" + rzNew[0]:
			bodyHas(t, r.Body, map[string]any{"status": 61, "ttn": np(1)})
		case "/orders/" + rzNew[1]:
			bodyHas(t, r.Body, map[string]any{"status": 42})
		default:
			t.Errorf("rozetka write to %s", r.Path)
		}
	}
	log := m.Query(`SELECT state, reason FROM {db}.v_pushes WHERE store = 'rz-a' AND order_id = ?`, rzNew[2])
	if len(log) != 1 || !strings.HasPrefix(log[0], "rejected\t") || !strings.Contains(log[0], "→ 6") {
		t.Errorf("invalid transition in the push log: %v", log)
	}

	// Horoshop: status and ТТН in one orders/update.
	hs := appliedWrites(p.hs.Recorder())
	if len(hs) != 1 || hs[0].Path != "/api/orders/update/" {
		t.Fatalf("horoshop writes: %+v", hs)
	}
	var upd struct {
		Orders []map[string]any `json:"orders"`
	}
	_ = json.Unmarshal(hs[0].Body, &upd)
	if len(upd.Orders) != 1 || fmt.Sprint(upd.Orders[0]["order_id"]) != hsNew[0] || fmt.Sprint(upd.Orders[0]["status"]) != "6" ||
		upd.Orders[0]["tracking_code"] != np(2) {
		t.Errorf("horoshop orders/update body: %s", hs[0].Body)
	}

	// Epicentr: one change-status each; the cancel carries its reason.
	ep := appliedWrites(p.ep.Recorder())
	if len(ep) != 2 {
		t.Fatalf("epicentr writes: %+v", ep)
	}
	for _, r := range ep {
		switch r.Path {
		case "/v2/oms/orders/" + epNew[0] + "/change-status/to/confirmed":
		case "/v2/oms/orders/" + epNew[1] + "/change-status/to/canceled":
			bodyHas(t, r.Body, map[string]any{"reason_code": "customer_failed_to_contact", "comment": "Не відповідає на дзвінки"})
		default:
			t.Errorf("epicentr write %s %s", r.Method, r.Path)
		}
	}

	// The marketplaces now show the changes: the next pull brings them back.
	m.Clock.Advance(time.Minute)
	m.Run(context.Background(), pipeline.JobOrders)
	got := m.Query(`SELECT store, external_id, marketplace_status, ttn FROM {db}.v_orders
		WHERE (store, external_id) IN (('rz-a', ?), ('rz-a', ?), ('hs-a', ?), ('ep-a', ?), ('ep-a', ?)) ORDER BY store, external_id`,
		rzNew[0], rzNew[1], hsNew[0], epNew[0], epNew[1])
	want := []string{
		"ep-a\t" + epNew[0] + "\tconfirmed\t", "ep-a\t" + epNew[1] + "\tcanceled\t",
		// Horoshop does not return the tracking_code it was sent: the order's
		// ТТН stays the shop's own Nova Poshta waybill, none yet (see
		// pipeline/connectors/horoshop).
		"hs-a\t" + hsNew[0] + "\t6\t",
		"rz-a\t" + rzNew[0] + "\t61\t" + np(1), "rz-a\t" + rzNew[1] + "\t42\t",
	}
	if d := pipelinetest.Diff(sortedCopy(want), got); d != "" {
		t.Errorf("orders after the push:\n%s", d)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// setStatusBodies returns the applied set_status bodies by order id.
func setStatusBodies(t *testing.T, sb *promsb.Sandbox) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, r := range writes(sb.Recorder(), promsb.APIPath+"/orders/set_status") {
		var b map[string]any
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatal(err)
		}
		for _, id := range b["ids"].([]any) {
			out[fmt.Sprint(int64(id.(float64)))] = append(out[fmt.Sprint(int64(id.(float64)))], b)
		}
	}
	return out
}

func TestPromRulesAutoAcceptAutoCancelAndClose(t *testing.T) {
	t.Run("auto_accept", func(t *testing.T) {
		// With a cancel rule on the same status: the warehouse still says
		// pending after the accept, but the rule sees the order moved on.
		m, sb, _ := newPromPush(t, 80, "push:\n  auto_accept: true\n  auto_cancel:\n    - {status: pending, after: 1s, to: canceled, cancel_reason: not_available}")
		pending := ordersIn(m, "prom-a", "pending")
		if len(pending) < 5 {
			t.Fatalf("only %d pending orders", len(pending))
		}
		// Accepted on import: the order cycle that loaded them did it.
		accepted := func(when string) {
			t.Helper()
			bodies := setStatusBodies(t, sb)
			if len(bodies) != len(pending) {
				t.Errorf("%s: set_status for %d orders, %d were pending", when, len(bodies), len(pending))
			}
			for _, id := range pending {
				if len(bodies[id]) != 1 || bodies[id][0]["status"] != "received" {
					t.Errorf("%s: order %s: %v", when, id, bodies[id])
				}
			}
		}
		accepted("after the import")
		m.Run(context.Background(), pipeline.JobPush)
		m.Run(context.Background(), pipeline.JobPush) // the warehouse still says pending: nothing goes twice
		accepted("after two push cycles")
		skipped := m.Query(`SELECT count() FROM {db}.v_pushes WHERE source = 'rule:auto_cancel' AND state = 'skipped'
			AND reason LIKE 'the order is no longer in status pending%'`)
		if skipped[0] != fmt.Sprint(len(pending)) {
			t.Errorf("auto_cancel skipped %s of %d accepted orders", skipped[0], len(pending))
		}
		m.Clock.Advance(time.Minute)
		m.Run(context.Background(), pipeline.JobOrders)
		if left := ordersIn(m, "prom-a", "pending"); len(left) != 0 {
			t.Errorf("still pending after the pull: %v", left)
		}
	})

	t.Run("auto_cancel", func(t *testing.T) {
		rule := "push:\n  auto_cancel:\n    - {status: pending, after: 48h, to: canceled, cancel_reason: not_available}"
		m, sb, _ := newPromPush(t, 80, rule)
		stuck := m.Query(`SELECT external_id FROM {db}.v_orders WHERE store = 'prom-a' AND marketplace_status = 'pending'
			AND modified_at <= ? ORDER BY external_id`, m.Clock.Now().Add(-48*time.Hour))
		fresh := m.Query(`SELECT external_id FROM {db}.v_orders WHERE store = 'prom-a' AND marketplace_status = 'pending'
			AND modified_at > ? ORDER BY external_id`, m.Clock.Now().Add(-48*time.Hour))
		if len(stuck) == 0 || len(fresh) == 0 {
			t.Fatalf("need stuck and fresh pending orders: %d and %d", len(stuck), len(fresh))
		}
		m.Run(context.Background(), pipeline.JobPush)
		bodies := setStatusBodies(t, sb)
		if len(bodies) != len(stuck) {
			t.Errorf("cancelled %d orders, %d were stuck for 48h", len(bodies), len(stuck))
		}
		for _, id := range stuck {
			if len(bodies[id]) != 1 || bodies[id][0]["status"] != "canceled" || bodies[id][0]["cancellation_reason"] != "not_available" {
				t.Errorf("order %s: %v", id, bodies[id])
			}
		}
		logged := m.Query(`SELECT state, count() FROM {db}.v_pushes WHERE store = 'prom-a' AND source = 'rule:auto_cancel' GROUP BY state`)
		if d := pipelinetest.Diff([]string{fmt.Sprintf("done\t%d", len(stuck))}, logged); d != "" {
			t.Errorf("push log of the rule:\n%s", d)
		}

		// Two days later the fresh ones are stuck too.
		m.Clock.Advance(49 * time.Hour)
		m.Run(context.Background(), pipeline.JobOrders)
		m.Run(context.Background(), pipeline.JobPush)
		bodies = setStatusBodies(t, sb)
		for _, id := range fresh {
			if len(bodies[id]) != 1 {
				t.Errorf("order %s, stuck since: %v", id, bodies[id])
			}
		}
	})

	t.Run("close", func(t *testing.T) {
		// A Prom-payment order turns "paid" once the buyer collected the
		// parcel (the money leaves the transit account, anchors.md A.2):
		// the delivery succeeded, so the order is closed as delivered.
		m, sb, token := newPromPush(t, 80, "push:\n  close:\n    - {status: paid, to: delivered}")
		paid := ordersIn(m, "prom-a", "paid")
		if len(paid) == 0 {
			t.Fatal("no paid orders")
		}
		m.Run(context.Background(), pipeline.JobPush)
		bodies := setStatusBodies(t, sb)
		if len(bodies) != len(paid) {
			t.Errorf("closed %d orders, %d were paid", len(bodies), len(paid))
		}
		for _, id := range paid {
			var n int64
			fmt.Sscan(id, &n)
			if o, _ := sb.Order(sb.StoreID(token), n); o.Status != "delivered" || len(bodies[id]) != 1 {
				t.Errorf("order %s: %s after %v", id, o.Status, bodies[id])
			}
		}
	})
}

// importStock loads a stock CSV as `kramar stock import` does.
func importStock(t *testing.T, m *pipelinetest.Multi, csv string) {
	t.Helper()
	ss, errs := pipeline.ParseStockCSV(strings.NewReader(csv), "stock.csv", m.Cfg, m.Clock.Now())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := m.WH.RecordCRMStock(context.Background(), ss); err != nil {
		t.Fatal(err)
	}
}

// editBatches are the applied edit_by_external_id calls' items.
func editBatches(t *testing.T, sb *promsb.Sandbox) [][]map[string]any {
	t.Helper()
	var out [][]map[string]any
	for _, r := range writes(sb.Recorder(), promsb.APIPath+"/products/edit_by_external_id") {
		var items []map[string]any
		if err := json.Unmarshal(r.Body, &items); err != nil {
			t.Fatal(err)
		}
		out = append(out, items)
	}
	return out
}

func TestPromStockSyncSendsOnlyChangedItemsInBatchesOf100(t *testing.T) {
	m, sb, token := newPromPush(t, 10, "push: {stock: true}")
	ids := sb.ExternalIDs(token)[:250]
	var b strings.Builder
	b.WriteString("store,external_id,quantity\n")
	want := map[string]int64{}
	for i, id := range ids {
		want[id] = int64(i % 7)
		fmt.Fprintf(&b, "prom-a,%s,%d\n", id, i%7)
	}
	b.WriteString("prom-a,NO-SUCH-SKU,3\n")
	importStock(t, m, b.String())

	res := m.Run(context.Background(), pipeline.JobPush)["prom-a"]
	batches := editBatches(t, sb)
	if len(batches) != 3 || res.Updated != 250 || res.Rejected != 1 {
		t.Fatalf("%d batches, %d accepted, %d refused", len(batches), res.Updated, res.Rejected)
	}
	for _, items := range batches {
		if len(items) > 100 {
			t.Errorf("a batch of %d items", len(items))
		}
	}
	for id, q := range want {
		p, _ := sb.Product(token, id)
		presence := "available"
		if q == 0 {
			presence = "not_available"
		}
		if p.QuantityInStock != q || p.Presence != presence {
			t.Errorf("product %s: %d %s, want %d %s", id, p.QuantityInStock, p.Presence, q, presence)
		}
	}
	if got := m.Query(`SELECT state, reason != '' FROM {db}.v_pushes WHERE external_id = 'NO-SUCH-SKU'`); len(got) != 1 || got[0] != "rejected\t1" {
		t.Errorf("unknown product in the push log: %v", got)
	}

	// Nothing changed: nothing is sent. Then five products change.
	m.Run(context.Background(), pipeline.JobPush)
	if n := len(editBatches(t, sb)); n != 3 {
		t.Fatalf("an unchanged stock sent %d more batches", n-3)
	}
	m.Clock.Advance(time.Minute)
	importStock(t, m, "store,external_id,quantity\nprom-a,"+strings.Join(ids[:5], ",9\nprom-a,")+",9\n")
	m.Run(context.Background(), pipeline.JobPush)
	batches = editBatches(t, sb)
	if len(batches) != 4 || len(batches[3]) != 5 {
		t.Fatalf("after 5 changes: %d batches, last of %d", len(batches), len(batches[len(batches)-1]))
	}
	for _, item := range batches[3] {
		if item["quantity_in_stock"] != float64(9) || item["presence"] != "available" {
			t.Errorf("item %v", item)
		}
	}
}

func TestRozetkaStockSyncUsesCatalogIDs(t *testing.T) {
	clock := kit.NewClock(pipelinetest.Start)
	sb := rzsb.New(rzsb.Options{Clock: clock, Seed: 4})
	spec, sid := rozetkatest.Store(t, sb, "rz-a", 5, 30)
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, "")
	m.Configure("", map[string]string{"rz-a": "push: {stock: true}"})
	if r := m.Run(context.Background(), pipeline.JobCatalog)["rz-a"]; !r.OK() {
		t.Fatalf("catalog: %v", r.Err)
	}
	goods := sb.Goods(sid)[:10]
	var b strings.Builder
	b.WriteString("store,external_id,quantity\n")
	want := map[int64]int{}
	for i, g := range goods {
		want[g.RzItemID] = 40 + i
		fmt.Fprintf(&b, "rz-a,%s,%d\n", g.PriceOfferID, 40+i)
	}
	importStock(t, m, b.String())
	if r := m.Run(context.Background(), pipeline.JobPush)["rz-a"]; !r.OK() || r.Updated != 10 {
		t.Fatalf("push: %+v", r)
	}
	w := writes(sb.Recorder(), "/items/mass-update")
	if len(w) != 1 {
		t.Fatalf("%d mass-updates", len(w))
	}
	var body struct {
		Items []struct {
			ItemRzID      int64 `json:"item_rz_id"`
			StockQuantity int   `json:"stock_quantity"`
		} `json:"items"`
	}
	_ = json.Unmarshal(w[0].Body, &body)
	if len(body.Items) != 10 {
		t.Fatalf("mass-update body: %s", w[0].Body)
	}
	for _, it := range body.Items {
		if want[it.ItemRzID] != it.StockQuantity {
			t.Errorf("item %d: sent %d, want %d", it.ItemRzID, it.StockQuantity, want[it.ItemRzID])
		}
	}
	for _, g := range sb.Goods(sid) {
		if q, ok := want[g.RzItemID]; ok && g.StockQuantity != q {
			t.Errorf("goods %d: stock %d, want %d", g.RzItemID, g.StockQuantity, q)
		}
	}
}
