package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

// Prom answers a repeated save_declaration_id with the waybill the order
// already has by HTTP 200 {"status":"error","message":"Этот ЭН уже добавлен
// к данному заказу"} (live-verified by the integration with
// attach_prom_declaration_id). When the first call's answer is lost and it
// lands only after kramar read the order again, the retry meets that
// answer; the ТТН is on the order, so the push is done, not rejected.
func TestPromTTNRetryAfterALostAnswerEndsDone(t *testing.T) {
	m, sb, token := newPromPush(t, 60, "push: {orders: true}")
	var target string
	for _, id := range ordersIn(m, "prom-a", "received") {
		var n int64
		fmt.Sscan(id, &n)
		if o, _ := sb.Order(sb.StoreID(token), n); o.DeliveryProviderData != nil && o.DeliveryProviderData.DeclarationNumber == "" {
			target = id
			break
		}
	}
	if target == "" {
		t.Fatal("no received order without a ТТН")
	}
	recordCRM(t, m, pipeline.CRMChange{Store: "prom-a", OrderID: target, Status: "Відправлено", TTN: "20450000000017", Carrier: "nova_poshta"})

	sb.StallDeclarations(1)
	if r := m.Run(context.Background(), pipeline.JobPush)["prom-a"]; !r.OK() {
		t.Fatalf("push: %+v", r)
	}
	got := m.Query(`SELECT action, state, attempt FROM {db}.v_pushes WHERE store = 'prom-a' AND order_id = ? ORDER BY action`, target)
	// The ТТН took two sends (the second met "already added"); the order
	// was already received, so the status needed none.
	want := []string{"status\talready\t0", "ttn\tdone\t2"}
	if d := pipelinetest.Diff(want, got); d != "" {
		t.Errorf("push log:\n%s\n%s", d, strings.Join(m.Query(`SELECT action, state, attempt, reason, response FROM {db}.push_log WHERE order_id = ? ORDER BY _version`, target), "\n"))
	}
	var n int64
	fmt.Sscan(target, &n)
	if o, _ := sb.Order(sb.StoreID(token), n); o.DeliveryProviderData.DeclarationNumber != "20450000000017" || o.Status != "received" {
		t.Errorf("order ends %s with ТТН %q", o.Status, o.DeliveryProviderData.DeclarationNumber)
	}
	if sent := sent(sb.Recorder(), "/api/v1/delivery/save_declaration_id"); sent != 2 {
		t.Errorf("save_declaration_id sent %d times, want 2", sent)
	}
}

// Custom statuses arrive in "status" as custom-<id> (custom-137639 /
// «Підтверджено» in a real order dump, ffers/cetwer12 prom_dict.py). The
// reference job lists them from /order_status_options/list, the mapping
// takes them by code or by label, and the names come in Ukrainian because
// kramar asks for it (X-LANGUAGE: uk).
func TestPromCustomStatusesFromReferenceToOrders(t *testing.T) {
	e := promtest.New(t, map[string]int{"prom-a": 400})
	e.Cfg.Mappings = map[string]config.Mappings{"prom": {Status: map[string]string{
		"pending":            "Новий",
		"custom-137639":      "Підтверджено",
		"Очікує передоплату": "Чекає оплату", // custom-137640, by its label
	}}}
	statuses := referenceJob(t, e.Runner(), "mappings.status")
	got := e.Query(`SELECT option_id, name, extra FROM {db}.v_marketplace_options WHERE store = 'prom-a' AND kind = 'status' AND option_id LIKE 'custom-%' ORDER BY option_id`)
	want := []string{"custom-137639\tПідтверджено\t137639", "custom-137640\tОчікує передоплату\t137640", "custom-137641\tПередано на склад\t137641"}
	if d := pipelinetest.Diff(want, got); d != "" {
		t.Errorf("custom statuses in marketplace_options:\n%s", d)
	}
	if got := e.Query(`SELECT name FROM {db}.v_marketplace_options WHERE store = 'prom-a' AND kind = 'status' AND option_id = 'pending'`); len(got) != 1 || got[0] != "Нове" {
		t.Errorf("pending is named %v, want the Ukrainian name", got)
	}
	text := messages(statuses)
	if !strings.Contains(text, `"Передано на склад" (id custom-137641)`) || strings.Contains(text, "custom-137639") ||
		strings.Contains(text, "custom-137640") || strings.Contains(text, `"Нове"`) {
		t.Errorf("unmapped status warnings:\n%s", text)
	}

	if res := e.Run()["prom-a"]; !res.OK() || res.Rejected != 0 {
		t.Fatalf("orders: %+v", res)
	}
	rows := e.Query(`SELECT marketplace_status, status_name, status, count() FROM {db}.v_orders
		WHERE store = 'prom-a' AND (marketplace_status LIKE 'custom-%' OR marketplace_status = 'pending')
		GROUP BY marketplace_status, status_name, status ORDER BY marketplace_status`)
	var shapes []string
	for _, row := range rows {
		f := strings.Split(row, "\t")
		shapes = append(shapes, strings.Join(f[:3], "\t"))
	}
	wantShapes := []string{
		"custom-137639\tПідтверджено\tПідтверджено",
		"custom-137640\tОчікує передоплату\tЧекає оплату",
		"custom-137641\tПередано на склад\t",
		"pending\tНове\tНовий",
	}
	if d := pipelinetest.Diff(wantShapes, shapes); d != "" {
		t.Errorf("orders by status:\n%s", d)
	}
	e.AssertEqual("prom-a")
}
