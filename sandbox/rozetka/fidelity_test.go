package rozetka

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	wire "github.com/kramar/kramar/extractors/rozetka"
)

// Sources: the Rozetka apidoc mirror GERA-OneTeam/Rozetka-API-Seller at
// 1e7ab0d265b093c4d497c90063fde943e9706fa8, files under docs/categories/.

// servedOrder is the raw shape of one order as the API sends it.
type servedOrder struct {
	ID            int64             `json:"id"`
	TTN           *string           `json:"ttn"`
	SellerComment []json.RawMessage `json:"seller_comment"`
	Purchases     []map[string]json.RawMessage
	Delivery      *wire.Delivery             `json:"delivery"`
	Carrier       map[string]json.RawMessage `json:"carrier"`
	Payment       *struct {
		PaymentType   string                     `json:"payment_type"`
		PaymentStatus map[string]json.RawMessage `json:"payment_status"`
	} `json:"payment"`
}

func served(t *testing.T, raw []byte) servedOrder {
	t.Helper()
	var o servedOrder
	mustDecode(t, raw, &o)
	var p struct {
		Purchases []map[string]json.RawMessage `json:"purchases"`
	}
	mustDecode(t, raw, &p)
	o.Purchases = p.Purchases
	return o
}

const allBlocks = "delivery,purchases,payment,status_data,user,carrier"

// orders.md L1298-1396: the 0.0.0 detail example's purchases carry no
// status. Some seeded orders go out that way; the others carry it, and the
// truth keeps 1 (active) for all.
func TestSomeOrdersServeLinesWithoutStatus(t *testing.T) {
	f := newFixture(t, Options{Seed: 11}, 400, 50)
	bare, withStatus := 0, 0
	for _, o := range f.SB.Orders(f.Store) {
		for _, p := range o.Purchases {
			if p.Status != 1 {
				t.Fatalf("order %d: truth line status %d", o.ID, p.Status)
			}
		}
		s := served(t, f.SB.OrderJSON(f.Store, o.ID, allBlocks))
		for _, p := range s.Purchases {
			if _, ok := p["status"]; ok {
				withStatus++
			} else {
				bare++
			}
		}
	}
	if bare == 0 || withStatus == 0 || bare > withStatus {
		t.Fatalf("%d lines without status, %d with", bare, withStatus)
	}
	// A line removed while editing goes out with an explicit 0, in a
	// record of either shape.
	for _, bareLines := range []bool{false, true} {
		id := f.SB.addOrder(f.Store, func(r *record) { r.order.Purchases[0].Status, r.bareLines = 0, bareLines })
		s := served(t, f.SB.OrderJSON(f.Store, id, "purchases"))
		if st := s.Purchases[0]["status"]; string(st) != "0" {
			t.Fatalf("bare %v: removed line served with status %s", bareLines, st)
		}
	}
}

// marketpaymentmethods.md L129-227: content.payment_methods[], no _meta,
// items without title.
func TestPaymentMethodsListShape(t *testing.T) {
	f := newFixture(t, Options{Seed: 1}, 0, 0)
	code, env := f.call(t, "GET", "/market-payment-methods/list", nil)
	if code != 200 || !env.Success {
		t.Fatalf("%d %+v", code, env.Errors)
	}
	var content map[string][]map[string]json.RawMessage
	mustDecode(t, env.Content, &content)
	if len(content) != 1 || len(content["payment_methods"]) != len(paymentMethods) {
		t.Fatalf("content %s", env.Content)
	}
	nullDescription, entity := false, false
	for _, m := range content["payment_methods"] {
		for _, k := range []string{"id", "name", "description", "must_has_keys", "has_keys", "is_auto_hold", "status", "legal_person", "has_active_dc"} {
			if _, ok := m[k]; !ok {
				t.Errorf("method %s lacks %s", m["id"], k)
			}
		}
		if _, ok := m["title"]; ok {
			t.Errorf("method %s has a title", m["id"])
		}
		nullDescription = nullDescription || string(m["description"]) == "null"
		entity = entity || string(m["legal_person"]) != "null"
	}
	if !nullDescription || !entity {
		t.Errorf("want a null description and a legal person among %s", env.Content)
	}
}

// orders.md L750-755 and L1861-1867: ROZETKA Delivery parcels (name_logo
// octopus) go out with an empty ttn and the waybill in `carrier`; others
// with a carrier block of nulls. The truth keeps the waybill in TTN.
func TestCarrierManagedParcelsKeepTheirWaybillInCarrier(t *testing.T) {
	f := newFixture(t, Options{Seed: 12}, 1500, 50)
	carried, meest, plain := 0, 0, 0
	for _, o := range f.SB.Orders(f.Store) {
		s := served(t, f.SB.OrderJSON(f.Store, o.ID, allBlocks))
		if s.Carrier == nil || len(s.Carrier) != 5 {
			t.Fatalf("order %d: carrier block %v", o.ID, s.Carrier)
		}
		var track *string
		mustDecode(t, s.Carrier["carrier_track_num"], &track)
		if track == nil {
			plain++
			for _, k := range []string{"carrier", "carrier_inner_id", "carrier_track_num", "carrier_return_track_num"} {
				if string(s.Carrier[k]) != "null" {
					t.Fatalf("order %d: %s is %s without a carrier parcel", o.ID, k, s.Carrier[k])
				}
			}
			continue
		}
		carried++
		if *track != string(o.TTN) || s.TTN == nil || *s.TTN != "" || s.Delivery.NameLogo != rozetkaDelivery {
			t.Fatalf("order %d: served ttn %v, track %s, truth %s, logo %s", o.ID, s.TTN, *track, o.TTN, s.Delivery.NameLogo)
		}
		if string(s.Carrier["is_carrier_meest"]) == "true" {
			meest++
			if string(s.Carrier["carrier_inner_id"]) != "4" {
				t.Fatalf("order %d: Meest with inner id %s", o.ID, s.Carrier["carrier_inner_id"])
			}
		}
	}
	if carried == 0 || meest == 0 || plain == 0 {
		t.Fatalf("%d carrier parcels (%d Meest), %d others", carried, meest, plain)
	}
	if raw := f.SB.OrderJSON(f.Store, f.SB.Orders(f.Store)[0].ID, "delivery"); bytes.Contains(raw, []byte(`"carrier"`)) {
		t.Fatal("carrier sent without being asked for")
	}
}

// orders.md L666: seller_comment[].created as Unix seconds; the examples
// have date strings (L798). The list is always there, [] when empty.
func TestSellerCommentCreatedComesInBothForms(t *testing.T) {
	plain := newFixture(t, Options{Seed: 13}, 300, 10)
	for _, o := range plain.SB.Orders(plain.Store) {
		if bytes.Contains(plain.SB.OrderJSON(plain.Store, o.ID, ""), []byte(`"created":1`)) {
			t.Fatalf("order %d: a Unix note time without UnixNoteTimes", o.ID)
		}
	}
	f := newFixture(t, Options{Seed: 13}, 600, 10, func(sb *Sandbox) { sb.UnixNoteTimes(true) })
	unix, text, empty := 0, 0, 0
	for _, o := range f.SB.Orders(f.Store) {
		s := served(t, f.SB.OrderJSON(f.Store, o.ID, ""))
		if s.SellerComment == nil {
			t.Fatalf("order %d without seller_comment", o.ID)
		}
		if len(s.SellerComment) == 0 {
			empty++
		}
		for _, n := range s.SellerComment {
			var e map[string]json.RawMessage
			mustDecode(t, n, &e)
			c := string(e["created"])
			if _, err := strconv.ParseInt(c, 10, 64); err == nil {
				unix++
			} else if len(c) == len(`"2006-01-02 15:04:05"`) {
				text++
			} else {
				t.Fatalf("order %d: created %s", o.ID, c)
			}
		}
	}
	if unix == 0 || text == 0 || empty == 0 {
		t.Fatalf("%d Unix, %d text, %d orders without notes", unix, text, empty)
	}
}

// models.md L2492-2509: payment_status is {order_id, status_payment_id,
// name, title, value, payment_invoice_id, created_at} or null; no id.
func TestPaymentStatusShape(t *testing.T) {
	f := newFixture(t, Options{Seed: 14}, 300, 10)
	seen, cards := 0, 0
	for _, o := range f.SB.Orders(f.Store) {
		s := served(t, f.SB.OrderJSON(f.Store, o.ID, "payment"))
		ps := s.Payment.PaymentStatus
		if ps == nil {
			continue
		}
		seen++
		if _, ok := ps["id"]; ok {
			t.Fatalf("order %d: payment_status has id", o.ID)
		}
		for _, k := range []string{"order_id", "status_payment_id", "name", "title", "value", "created_at"} {
			if _, ok := ps[k]; !ok {
				t.Fatalf("order %d: payment_status lacks %s", o.ID, k)
			}
		}
		if string(ps["order_id"]) != strconv.FormatInt(o.ID, 10) {
			t.Fatalf("order %d: payment_status.order_id %s", o.ID, ps["order_id"])
		}
		if _, ok := ps["payment_invoice_id"]; ok && s.Payment.PaymentType == "card" {
			cards++
		}
	}
	if seen == 0 || cards == 0 {
		t.Fatalf("%d payment statuses, %d card invoices", seen, cards)
	}
}

// deliverymanagement.md L68: mdm_id is a String; the example leaves it out.
func TestDeliveryServicesMdmID(t *testing.T) {
	f := newFixture(t, Options{Seed: 1}, 0, 0)
	_, env := f.call(t, "GET", "/delivery-services/search", nil)
	var l struct {
		DeliveryServices []map[string]json.RawMessage `json:"deliveryServices"`
	}
	mustDecode(t, env.Content, &l)
	with, without := 0, 0
	for _, d := range l.DeliveryServices {
		if m, ok := d["mdm_id"]; !ok {
			without++
		} else if m[0] != '"' {
			t.Fatalf("mdm_id %s is not a string", m)
		} else {
			with++
		}
	}
	if with == 0 || without == 0 {
		t.Fatalf("%d with mdm_id, %d without", with, without)
	}
}

// apiitems.md L225-230: every item carries sync_source; a stock set for an
// item its price-list feed manages is applied, and the feed's next sync
// sets the feed's stock again (the effect is not documented; see
// handleMassUpdate). /goods/all?rz_item_id= answers that one item.
func TestGoodsStockSourcesAndTheFeedSync(t *testing.T) {
	f := newFixture(t, Options{Seed: 15}, 0, 30)
	goods := f.SB.Goods(f.Store)
	var feed, api wire.GoodsItem
	for _, g := range goods {
		if g.SyncSource == nil || g.SyncSourceID != g.SyncSource.ID {
			t.Fatalf("item %d: sync_source %+v", g.RzItemID, g.SyncSource)
		}
		if g.StockByFeed() {
			feed = g
		} else if g.SyncSource.Availability == wire.StockByAPI && api.RzItemID == 0 {
			api = g
		}
	}
	if feed.RzItemID == 0 || api.RzItemID == 0 || !goods[len(goods)-1].StockByFeed() || goods[0].StockByFeed() {
		t.Fatal("want API-managed items first and price-list items last")
	}
	one := func(id int64) []wire.GoodsItem {
		_, env := f.call(t, "GET", "/goods/all?rz_item_id="+strconv.FormatInt(id, 10), nil)
		var l wire.GoodsList
		mustDecode(t, env.Content, &l)
		out := make([]wire.GoodsItem, len(l.Items))
		for i, r := range l.Items {
			mustDecode(t, r, &out[i])
		}
		return out
	}
	if got := one(feed.RzItemID); len(got) != 1 || got[0].RzItemID != feed.RzItemID || !got[0].StockByFeed() {
		t.Fatalf("by id: %+v", got)
	}
	if got := one(42); len(got) != 0 {
		t.Fatalf("unknown id: %+v", got)
	}
	stock := func(n int) *int { return &n }
	code, raw := f.callRaw(t, "PUT", "/items/mass-update", map[string]any{"items": []massItem{
		{feed.RzItemID, stock(feed.StockQuantity + 9)}, {api.RzItemID, stock(api.StockQuantity + 9)}}})
	if code != 200 || string(raw) != `{"success":true,"content":null}` {
		t.Fatalf("mass-update: %d %s", code, raw)
	}
	if got := one(feed.RzItemID)[0].StockQuantity; got != feed.StockQuantity+9 {
		t.Fatalf("feed item after mass-update: %d", got)
	}
	n, err := f.SB.SyncPriceList(f.Store)
	if err != nil || n != 1 {
		t.Fatalf("feed sync changed %d items: %v", n, err)
	}
	if got := one(feed.RzItemID)[0].StockQuantity; got != feed.StockQuantity {
		t.Fatalf("feed item after the feed sync: %d, want the feed's %d", got, feed.StockQuantity)
	}
	if got := one(api.RzItemID)[0].StockQuantity; got != api.StockQuantity+9 {
		t.Fatalf("API item after the feed sync: %d, want %d", got, api.StockQuantity+9)
	}
}
