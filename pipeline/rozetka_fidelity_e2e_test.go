package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors/rozetka/rozetkatest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

// The payment methods come from content.payment_methods (apidoc mirror
// GERA-OneTeam/Rozetka-API-Seller docs/categories/marketpaymentmethods.md
// L129-227): the reference job loads them, and the mapping check sees the
// unmapped ones.
func TestRozetkaReferenceJobLoadsPaymentMethods(t *testing.T) {
	e := rozetkatest.New(t, map[string]int{"rz-a": 0}, 0)
	e.Cfg.Mappings = map[string]config.Mappings{"rozetka": {Payment: map[string]string{"Оплата під час отримання товару": "Накладений платіж"}}}
	payments := referenceJob(t, e.Runner(), "mappings.payment")
	got := e.Query(`SELECT name, extra FROM {db}.v_marketplace_options WHERE store = 'rz-a' AND kind = 'payment' ORDER BY option_id`)
	want := []string{"Оплата під час отримання товару\t", "Оплата карткою онлайн\tФОП Кузьменко Ольга Степанівна", "Кредит\t"}
	if d := pipelinetest.Diff(want, got); d != "" {
		t.Fatalf("payment options in the warehouse:\n%s", d)
	}
	text := messages(payments)
	if len(payments) != 2 || !strings.Contains(text, `"Кредит"`) || strings.Contains(text, "Оплата під час отримання") {
		t.Fatalf("unmapped payment methods: %v", payments)
	}
}

// ROZETKA Delivery parcels send an empty ttn and the waybill in the carrier
// expand (orders.md L750-755); lines of the old shape have no status
// (orders.md L1354-1378). Both reach the warehouse: the waybill as the
// order's ТТН, the lines as items.
func TestRozetkaCarrierWaybillsAndLinesWithoutStatusReachTheWarehouse(t *testing.T) {
	e := rozetkatest.New(t, map[string]int{"rz-a": 800}, 0)
	e.Clock.Advance(time.Minute)
	if r := e.Run()["rz-a"]; !r.OK() || r.New != 800 || r.Rejected != 0 {
		t.Fatalf("run: %+v", r)
	}
	id := e.RZIDs["rz-a"]
	var carried, bare []int64
	for _, o := range e.RZ.Orders(id) {
		raw := e.RZ.OrderJSON(id, o.ID, "purchases,carrier")
		var served struct {
			TTN     string `json:"ttn"`
			Carrier struct {
				CarrierTrackNum *string `json:"carrier_track_num"`
			}
			Purchases []map[string]json.RawMessage `json:"purchases"`
		}
		if err := json.Unmarshal(raw, &served); err != nil {
			t.Fatal(err)
		}
		if served.TTN == "" && served.Carrier.CarrierTrackNum != nil {
			carried = append(carried, o.ID)
		}
		if len(served.Purchases) > 0 {
			if _, ok := served.Purchases[0]["status"]; !ok {
				bare = append(bare, o.ID)
			}
		}
	}
	if len(carried) == 0 || len(bare) == 0 {
		t.Fatalf("%d carrier parcels, %d orders with lines without status", len(carried), len(bare))
	}
	for _, oid := range carried[:min(len(carried), 5)] {
		o, _ := e.RZ.Order(id, oid)
		got := e.Query(`SELECT ttn, delivery_provider FROM {db}.v_orders WHERE external_id = toString(?)`, oid)
		if len(got) != 1 || got[0] != string(o.Carrier.CarrierTrackNum)+"\toctopus" {
			t.Errorf("order %d: warehouse %v, want the carrier's waybill %s", oid, got, o.Carrier.CarrierTrackNum)
		}
	}
	for _, oid := range bare[:min(len(bare), 5)] {
		o, _ := e.RZ.Order(id, oid)
		got := e.Query(`SELECT count() FROM {db}.v_order_items WHERE order_id = toString(?)`, oid)
		if !slices.Equal(got, []string{strconv.Itoa(len(o.Purchases))}) {
			t.Errorf("order %d: %v items in the warehouse, want %d", oid, got, len(o.Purchases))
		}
	}
	e.AssertEqual("rz-a")
}

// seller_comment[].created as Unix seconds (orders.md L666) costs no order:
// the lenient decoder reads the number as its digits, and the drift check
// reports the field.
func TestRozetkaUnixSellerCommentTimesLoseNoOrder(t *testing.T) {
	clock := kit.NewClock(pipelinetest.Start)
	sb := rzsb.New(rzsb.Options{Clock: clock, Seed: 8})
	sb.UnixNoteTimes(true)
	spec, sid := rozetkatest.Store(t, sb, "rz-a", 600, 0)
	unix := 0
	for _, o := range sb.Orders(sid) {
		if bytes.Contains(sb.OrderJSON(sid, o.ID, ""), []byte(`"created":1`)) {
			unix++
		}
	}
	if unix == 0 {
		t.Fatal("no order with a Unix note time")
	}
	clock.Advance(time.Minute)
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, "")
	if r := m.Run(context.Background(), pipeline.JobOrders)["rz-a"]; !r.OK() || r.New != 600 || r.Rejected != 0 {
		t.Fatalf("run with %d Unix note times: %+v", unix, r)
	}
	if got := m.Query(`SELECT count() FROM {db}.v_orders WHERE store = 'rz-a'`); !slices.Equal(got, []string{"600"}) {
		t.Fatalf("v_orders: %v", got)
	}
	got := m.Query(`SELECT kind, expected, observed FROM {db}.v_payload_drift WHERE marketplace = 'rozetka' AND path = 'seller_comment[].created'`)
	if !slices.Equal(got, []string{"type_change\tstring\tnumber"}) {
		t.Fatalf("drift of seller_comment[].created: %v", got)
	}
}
