package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/epicentr/epicentrtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	transform "github.com/kramar/kramar/transforms/epicentr"
)

// epicentrOne is one Epicentr store with no seeded orders, in a fresh
// warehouse.
func epicentrOne(t *testing.T) (*pipelinetest.Multi, *epsb.Sandbox, string) {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	sb := epsb.New(epsb.Options{Clock: clock, Seed: 5})
	spec, sid := epicentrtest.Store(t, sb, "ep-a", 0)
	return pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, ""), sb, sid
}

func runEpicentr(t *testing.T, m *pipelinetest.Multi) pipeline.StoreResult {
	t.Helper()
	m.Clock.Advance(time.Minute) // past the safety lag
	r := m.Run(context.Background(), pipeline.JobOrders)["ep-a"]
	if !r.OK() {
		t.Fatalf("orders run: %+v", r)
	}
	return r
}

// Epicentr hides the buyer's name and phone while an order is new (the API
// reference note beside epicentr_mcp.py of a third-party seller toolkit).
// The order loads anyway, without contacts and with a comment that says
// why; `new` is an active status, so the pull after the confirmation reads
// it again and the stored row is rewritten with the contacts.
func TestEpicentrNewOrderLoadsWithoutContactsAndGetsThemAfterConfirmation(t *testing.T) {
	m, sb, sid := epicentrOne(t)
	oid := sb.AddOrder(sid, func(o *wire.Order) {
		o.StatusCode = wire.StatusNew
		a := o.Address
		a.LastName, a.FirstName, a.Patronymic, a.Phone, a.Email = "Ткачук", "Галина", "Василівна", "0975551234", "galyna.t@example.com"
		a.IsAlternateRecipient, a.Recipient = false, &wire.Person{}
	})
	row := func() string {
		t.Helper()
		rows := m.Query(`SELECT marketplace_status, buyer_last_name, buyer_first_name, buyer_phone, buyer_email, recipient_phone, manager_comment
			FROM {db}.v_orders WHERE store = 'ep-a' AND external_id = ?`, oid)
		if len(rows) != 1 {
			t.Fatalf("%d rows for order %s", len(rows), oid)
		}
		return rows[0]
	}

	if r := runEpicentr(t, m); r.New != 1 || r.Rejected != 0 {
		t.Fatalf("first run: %+v", r)
	}
	if got, want := row(), "new\t\t\t\t\t\t"+transform.ContactsHidden; got != want {
		t.Fatalf("new order:\n got %q\nwant %q", got, want)
	}

	// A run while the order is still new changes nothing.
	if r := runEpicentr(t, m); r.New != 0 || r.Updated != 0 {
		t.Fatalf("second run, still new: %+v", r)
	}

	if err := sb.SetStatus(sid, oid, wire.StatusConfirmedByMerchant); err != nil {
		t.Fatal(err)
	}
	if r := runEpicentr(t, m); r.Updated != 1 || r.New != 0 {
		t.Fatalf("run after the confirmation: %+v", r)
	}
	if got, want := row(), "confirmed_by_merchant\tТкачук\tГалина\t+380975551234\tgalyna.t@example.com\t+380975551234\t"; got != want {
		t.Fatalf("confirmed order:\n got %q\nwant %q", got, want)
	}
	if n := m.Query(`SELECT count() FROM {db}.v_orders WHERE store = 'ep-a'`); n[0] != "1" {
		t.Fatalf("%s orders in the warehouse, want the one rewritten", n[0])
	}
}

// Lines without sku (a live-syncing client's shape: offerId, title, image,
// quantity, price, product) and the article's fallbacks (productExternalId,
// sku, article, externalId), and the place's blocks inside address (tests
// of a third-party Epicentr OMS client) reach the warehouse.
func TestEpicentrLinesWithoutSkuAndPlaceInsideAddressLoad(t *testing.T) {
	m, sb, sid := epicentrOne(t)
	oid := sb.AddOrder(sid, func(o *wire.Order) {
		o.StatusCode = wire.StatusConfirmed
		o.Items = []wire.Item{
			{OfferID: "6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f", Title: "Рукавиці робочі, р. L", Image: "https://images.sandbox.example/1.jpg", Quantity: "2", Price: "159",
				Product: &wire.Product{ID: "2210934"}},
			{OfferID: "4000007", ProductID: "2000007", ProductExternalID: "1901017", SKU: "EP1901017", Title: "Фарба", Quantity: "1", Price: "400.5"},
			{OfferID: "4000009", Article: "ART-9", Title: "Лампа", Quantity: "3", Price: "82.03"},
		}
		o.Subtotal = "964.59"
		a := o.Address
		a.Settlement = &wire.Settlement{ID: string(a.Shipment.SettlementID), Title: "Павлоград"}
		a.Office = &wire.Office{ID: "3a1d0f5b-2c8e-4d4f-9b6a-7e3c2f1d0b9c", Title: "Відділення Укрпошти", Number: "12"}
		a.Shipment.Address, a.Shipment.OfficeID = "", wire.Text(a.Office.ID)
		o.Settlement, o.Office = nil, nil
	})
	if r := runEpicentr(t, m); r.New != 1 || r.Rejected != 0 {
		t.Fatalf("run: %+v", r)
	}
	lines := m.Query(`SELECT line, product_id, external_id, sku, toString(total) FROM {db}.v_order_items WHERE store = 'ep-a' AND order_id = ? ORDER BY line`, oid)
	for i, l := range lines {
		f := strings.Split(l, "\t")
		f[4] = decimal.RequireFromString(f[4]).StringFixed(2)
		lines[i] = strings.Join(f, "\t")
	}
	want := []string{
		"0\t6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f\t\t\t318.00",
		"1\t4000007\t1901017\t1901017\t400.50",
		"2\t4000009\tART-9\tART-9\t246.09",
	}
	if d := pipelinetest.Diff(want, lines); d != "" {
		t.Errorf("lines:\n%s", d)
	}
	got := m.Query(`SELECT delivery_address, amount = toDecimal64('964.59', 2) FROM {db}.v_orders WHERE store = 'ep-a' AND external_id = ?`, oid)
	if len(got) != 1 || got[0] != "Павлоград, Відділення Укрпошти №12\t1" {
		t.Errorf("order: %q", got)
	}
}
