package epicentr_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	"github.com/kramar/kramar/transforms/decode"
)

// readOrder decodes one order body as the transform does.
func readOrder(t *testing.T, body []byte) epicentr.Order {
	t.Helper()
	var o epicentr.Order
	if err := decode.Into(body, &o); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return o
}

// pulled runs one pull and returns the bodies delivered by id.
func (f *fixture) pulled(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	return sourcetest.Bodies(t, f.client, testNow.Add(-time.Hour), testNow)
}

// Epicentr hides the buyer's contacts while an order is new (the API
// reference note beside epicentr_mcp.py of a third-party seller toolkit);
// `new` is an active status, so the pull after the seller's
// confirmed_by_merchant reads the order again, contacts and all.
func TestNewOrderIsPulledWithoutContactsThenWithThem(t *testing.T) {
	f := newFixture(t, 0, source.Config{})
	id := f.sb.AddOrder(f.store, func(o *epicentr.Order) {
		o.StatusCode = epicentr.StatusNew
		o.Address.FirstName, o.Address.LastName, o.Address.Phone = "Марія", "Савчук", "0501112233"
	})
	o := readOrder(t, f.pulled(t)[id])
	if a := o.Address; a == nil || a.FirstName+a.LastName+a.Phone+a.Email != "" || a.Shipment == nil {
		t.Fatalf("new order: address %+v, want it without contacts", o.Address)
	}
	raw, err := f.client.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if a := readOrder(t, raw.Body).Address; a.FirstName+a.LastName+a.Phone != "" {
		t.Fatalf("details of a new order: %+v", a)
	}

	if err := f.client.ChangeStatus(context.Background(), id, epicentr.StatusConfirmedByMerchant); err != nil {
		t.Fatal(err)
	}
	o = readOrder(t, f.pulled(t)[id])
	if o.StatusCode != epicentr.StatusConfirmedByMerchant || o.Address.LastName != "Савчук" || o.Address.Phone != "0501112233" {
		t.Fatalf("after confirmed_by_merchant: %s %+v", o.StatusCode, o.Address)
	}
}

// Lines may carry no sku: a live-syncing Supabase function (type
// EpicentrOrder) meets {offerId, title, image, quantity, price, product};
// another live client (item_sku of agents/orders/noire_order_notifier.py)
// takes the article from productExternalId, then sku, article, externalId.
func TestLineArticleAndOfferFromEveryShape(t *testing.T) {
	o := readOrder(t, []byte(`{"id":"x","subtotal":10,"items":[
		{"offerId":"6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f","title":"Рукавиці, р. L","image":"https://cdn.example/1.jpg","quantity":1,"price":10,
		 "product":{"id":2210934,"categories":[{"id":1177,"translations":[{"title":"Рукавиці робочі","languageCode":"ua"}]}]}},
		{"offerId":"o2","productId":"16","productExternalId":"1901017","sku":"EP1901017","title":"t","quantity":1,"price":1},
		{"offerId":"o3","sku":"EP-3","title":"t","quantity":1,"price":1},
		{"offerId":"o4","article":"A-4","title":"t","quantity":1,"price":1},
		{"externalId":55,"productId":77,"title":"t","quantity":1,"price":1},
		{"title":"t","quantity":1,"price":1,"product":{"id":88}}]}`))
	want := [][2]string{{"6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f", ""}, {"o2", "1901017"}, {"o3", "EP-3"}, {"o4", "A-4"}, {"77", "55"}, {"88", ""}}
	for i, w := range want {
		if got := [2]string{epicentr.ItemOffer(o.Items[i]), epicentr.ItemArticle(o.Items[i])}; got != w {
			t.Errorf("line %d: offer, article %v; want %v", i, got, w)
		}
	}
	if p := o.Items[0].Product; p == nil || p.ID != "2210934" || p.Categories[0].Translations[0].Title != "Рукавиці робочі" {
		t.Errorf("product block: %+v", p)
	}
}

// v6 details (and sometimes v5) may lack the settlement and office blocks
// or send them inside address (tests of a third-party Epicentr OMS client:
// test_nested_settlement_and_office_are_supported,
// test_missing_location_blocks_are_loaded_by_current_exact_endpoints).
func TestPlaceBlocksAreReadInsideAddress(t *testing.T) {
	o := readOrder(t, []byte(`{"id":"x","subtotal":1,"address":{
		"shipment":{"provider":"ukrposhta","settlementId":"2f0c9e4a-1b7d-4c3e-8a5f-6d2b1e0c9a8b","officeId":"3a1d0f5b-2c8e-4d4f-9b6a-7e3c2f1d0b9c"},
		"settlement":{"id":"2f0c9e4a-1b7d-4c3e-8a5f-6d2b1e0c9a8b","title":"Павлоград","region":"Дніпропетровська"},
		"office":{"id":"3a1d0f5b-2c8e-4d4f-9b6a-7e3c2f1d0b9c","number":"12","title":"Відділення Укрпошти"}}}`))
	a := o.Address
	if o.Settlement != nil || a.Settlement == nil || a.Settlement.Title != "Павлоград" || a.Office == nil || a.Office.Number != "12" {
		t.Fatalf("nested blocks: %+v %+v", a.Settlement, a.Office)
	}
	if a.Shipment.SettlementID != "2f0c9e4a-1b7d-4c3e-8a5f-6d2b1e0c9a8b" || a.Shipment.OfficeID != "3a1d0f5b-2c8e-4d4f-9b6a-7e3c2f1d0b9c" {
		t.Fatalf("ids: %+v", a.Shipment)
	}
}
