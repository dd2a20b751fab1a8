package epicentr_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit/kittest"
)

// obj is a JSON object as served, to look at keys the wire structs would blur.
type obj = map[string]any

func decodeObj(t *testing.T, b []byte) obj {
	t.Helper()
	var o obj
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return o
}

// listed returns order id as GET /v3/oms/orders serves it.
func listed(t *testing.T, base, id string) obj {
	t.Helper()
	var page struct{ Items []json.RawMessage }
	if code := get(t, base, wire.PathOrders, url.Values{"limit": {"100"}}, token, &page); code != http.StatusOK {
		t.Fatalf("list: %d", code)
	}
	for _, raw := range page.Items {
		if o := decodeObj(t, raw); o["id"] == id {
			return o
		}
	}
	t.Fatalf("order %s not in the list", id)
	return nil
}

// While an order is new, Epicentr hides the buyer's contacts (the API
// reference note beside epicentr_mcp.py of a third-party seller toolkit):
// the list sends them empty, the details leave them out; after the
// seller's confirmed_by_merchant both show them.
func TestNewOrdersHideContactsUntilConfirmed(t *testing.T) {
	sb, id, base := serve(t, 0)
	oid := sb.AddOrder(id, func(o *wire.Order) {
		o.StatusCode = wire.StatusNew
		o.Address.FirstName, o.Address.LastName, o.Address.Patronymic = "Леся", "Кравчук", "Андріївна"
		o.Address.Phone, o.Address.Email = "0931234567", "lesia@example.com"
		o.Address.IsAlternateRecipient = true
		o.Address.Recipient = &wire.Person{FirstName: "Юрій", LastName: "Кравчук", Phone: "0661234567"}
	})
	contacts := []string{"firstName", "lastName", "patronymic", "phone", "email"}

	addr := listed(t, base, oid)["address"].(obj)
	for _, k := range contacts {
		if v, ok := addr[k]; !ok || v != "" {
			t.Errorf("list, new order: %s = %#v (present %v), want an empty string", k, v, ok)
		}
	}
	if r := addr["recipient"].(obj); r["firstName"] != "" || r["lastName"] != "" || r["phone"] != "" {
		t.Errorf("list, new order: recipient %v", r)
	}
	var detail obj
	if code := get(t, base, wire.PathOrderDetails+oid, nil, token, &detail); code != http.StatusOK {
		t.Fatalf("details: %d", code)
	}
	daddr := detail["address"].(obj)
	for _, k := range contacts {
		if v, ok := daddr[k]; ok {
			t.Errorf("details, new order: %s = %#v, want it left out", k, v)
		}
	}
	if daddr["shipment"] == nil || detail["items"] == nil || detail["subtotal"] == nil {
		t.Errorf("details, new order: only the contacts are hidden: %v", detail)
	}
	if o, _ := sb.Order(id, oid); o.Address.Phone != "0931234567" {
		t.Errorf("the truth lost the phone: %+v", o.Address)
	}

	// The seller confirms through the API, as live clients do.
	if code, _, _ := kittest.Do(t, nil, http.MethodPost, base+"/v2/oms/orders/"+oid+"/change-status/to/"+wire.StatusConfirmedByMerchant, kittest.Bearer(nil, token), nil); code != http.StatusOK {
		t.Fatalf("new → confirmed_by_merchant: %d", code)
	}
	addr = listed(t, base, oid)["address"].(obj)
	if addr["lastName"] != "Кравчук" || addr["phone"] != "0931234567" || addr["email"] != "lesia@example.com" || addr["recipient"].(obj)["phone"] != "0661234567" {
		t.Errorf("list, confirmed: %v", addr)
	}
	get(t, base, wire.PathOrderDetails+oid, nil, token, &detail)
	if a := detail["address"].(obj); a["firstName"] != "Леся" || a["phone"] != "0931234567" {
		t.Errorf("details, confirmed: %v", a)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Lines come as the swagger's OrderProductsItem (sku, productId, the feed
// article as productExternalId) or as a live-syncing client types them
// (offerId, title, image, quantity, price, a product block; no sku). The
// place's names come top-level, inside address, or not at all (only the
// directory's uuids in address.shipment), as a third-party client's tests
// cover them.
func TestSeededOrdersCarryTheRealShapes(t *testing.T) {
	sb, id, _ := serve(t, 600)
	var swagger, bare, feedArticle, top, nested, idsOnly int
	for _, truth := range sb.Orders(id) {
		o := decodeObj(t, sb.ListJSON(id, truth.ID))
		items := o["items"].([]any)
		first := items[0].(obj)
		switch _, hasSKU := first["sku"]; {
		case hasSKU:
			swagger++
			if first["productId"] == nil || first["measure"] != "шт." || first["ratio"] == nil || first["subtotal"] == nil {
				t.Fatalf("a swagger-shaped line lacks its fields: %v", first)
			}
			if first["productExternalId"] == first["sku"] {
				feedArticle++
			}
		default:
			bare++
			p, _ := first["product"].(obj)
			cats, _ := p["categories"].([]any)
			if p["id"] == nil || len(cats) != 1 || first["offerId"] == nil || first["image"] == nil || first["productExternalId"] != nil {
				t.Fatalf("a line without sku is not the live client's shape: %v", first)
			}
		}
		for _, raw := range items {
			if _, ok := raw.(obj)["sku"]; ok != (first["sku"] != nil) {
				t.Fatalf("one order mixes line shapes: %v", items)
			}
		}
		addr := o["address"].(obj)
		sh := addr["shipment"].(obj)
		if sid, _ := sh["settlementId"].(string); !uuidRE.MatchString(sid) {
			t.Fatalf("settlementId %v is not a uuid", sh["settlementId"])
		}
		switch {
		case o["settlement"] != nil:
			top++
			if o["settlement"].(obj)["id"] != sh["settlementId"] {
				t.Fatalf("settlement id %v ≠ shipment's %v", o["settlement"], sh["settlementId"])
			}
		case addr["settlement"] != nil:
			nested++
			if o["office"] != nil {
				t.Fatalf("office top-level, settlement nested: %v", o)
			}
		default:
			idsOnly++
			if o["office"] != nil || addr["office"] != nil {
				t.Fatalf("office without settlement: %v", o)
			}
		}
	}
	n := len(sb.Orders(id))
	within := func(what string, got int, lo, hi float64) {
		if share := float64(got) / float64(n); share < lo || share > hi {
			t.Errorf("%s: %d of %d orders (%.2f), want %.2f–%.2f", what, got, n, share, lo, hi)
		}
	}
	within("lines without sku", bare, 0.18, 0.32)
	within("swagger-shaped lines", swagger, 0.68, 0.82)
	within("place blocks top-level", top, 0.62, 0.78)
	within("place blocks inside address", nested, 0.09, 0.21)
	within("only the place's ids", idsOnly, 0.09, 0.21)
	if feedArticle == 0 || feedArticle == swagger {
		t.Errorf("%d of %d swagger-shaped orders start with a feed article: want some, not all", feedArticle, swagger)
	}
}
