package epicentr

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

// testStore is testdata/STORE.yaml.
var testStore = golden.Store("testdata")

// TestGolden is the spec: testdata/<case>.json → testdata/<case>.golden.json.
// The dst_* cases pin Kyiv's switches for a createdAt without an offset
// (timeconv): 2026-03-29 03:30 is in the spring gap (→ 01:30Z), 2026-10-25
// 03:30 happened twice and is read as the first, summer-time one (→ 00:30Z).
// Errors carry the record id the pipeline would reject the record under.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", golden.Orders(Transform, RecordID, testStore))
}

func TestAlternateRecipientGoesToTheManagerComment(t *testing.T) {
	o := mustTransform(t, "full")
	if o.ManagerComment != "Отримувач: Коваль Тарас Петрович, +380509876543" {
		t.Errorf("comment %q", o.ManagerComment)
	}
	if o.RecipientLastName != "Коваль" || o.BuyerLastName != "Мельник" || o.BuyerPhone != "+380671234567" {
		t.Errorf("people: %+v", o)
	}
	for _, c := range []string{"recipient_same_person_other_spelling", "buyer_only", "alternate_flag_without_recipient"} {
		if o := mustTransform(t, c); o.ManagerComment != "" || o.RecipientLastName != "Мельник" {
			t.Errorf("%s: comment %q, recipient %q; want none and the buyer", c, o.ManagerComment, o.RecipientLastName)
		}
	}
}

func TestFieldErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"malformed_subtotal":       "subtotal",
		"malformed_item_price":     "items[1].price",
		"negative_item_price":      "items[0].price",
		"zero_quantity":            "items[1].quantity",
		"quantity_is_object":       "items[1].quantity",
		"missing_item_price":       "items[0].price",
		"malformed_delivery_price": "address.shipment.deliveryPrice",
		"items_not_an_array":       "items[0].quantity", // one object read as a list of one
		"malformed_created_at":     "createdAt",
		"missing_created_at":       "createdAt",
		"missing_id":               "id",
		"no_subtotal_no_items":     "subtotal",
		"malformed_json":           "$",
	}
	golden.FieldErrors(t, func(name string) error {
		_, err := Transform(read(t, name), testStore)
		return err
	}, cases)
}

// TestFidelityCasesHaveSources: every case of the table exists, and every
// case named like one of the real shapes has its source.
func TestFidelityCasesHaveSources(t *testing.T) {
	sources := golden.Sources(t, "testdata")
	inputs, _ := filepath.Glob("testdata/*.json")
	for _, p := range inputs {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		if strings.HasSuffix(p, golden.Suffix) {
			continue
		}
		for _, prefix := range []string{"new_contacts", "confirmed_by_merchant_contacts", "line_", "settlement_office", "office_"} {
			if strings.HasPrefix(name, prefix) && sources[name] == "" {
				t.Errorf("case %s has no source in testdata/"+golden.SourcesFile, name)
			}
		}
	}
}

func TestHiddenContactsAreNotedAndShownContactsLoad(t *testing.T) {
	for _, c := range []string{"new_contacts_hidden_absent", "new_contacts_hidden_empty", "new_contacts_hidden_null", "new_contacts_masked"} {
		o := mustTransform(t, c)
		if o.BuyerPhone != "" || o.BuyerLastName+o.BuyerFirstName != "" || o.RecipientPhone != "" || o.ManagerComment != ContactsHidden {
			t.Errorf("%s: buyer %q %q, phone %q, recipient phone %q, comment %q", c, o.BuyerLastName, o.BuyerFirstName, o.BuyerPhone, o.RecipientPhone, o.ManagerComment)
		}
	}
	o := mustTransform(t, "confirmed_by_merchant_contacts_shown")
	if o.BuyerLastName != "Ткачук" || o.BuyerPhone != "+380975551234" || o.ManagerComment != "" {
		t.Errorf("confirmed: %q %q, comment %q", o.BuyerLastName, o.BuyerPhone, o.ManagerComment)
	}
	// Empty contacts on an order past new are not "hidden until confirmed".
	raw := strings.Replace(string(read(t, "new_contacts_hidden_empty")), `"statusCode": "new"`, `"statusCode": "canceled"`, 1)
	if o, err := Transform([]byte(raw), testStore); err != nil || o.ManagerComment != "" {
		t.Errorf("canceled with empty contacts: comment %q, %v", o.ManagerComment, err)
	}
}

func TestLineArticleFallsBackAndOfferIDStays(t *testing.T) {
	o := mustTransform(t, "line_article_fallbacks")
	want := [][2]string{{"o-1", "1901017"}, {"o-2", "EP-2"}, {"o-3", "ART-3"}, {"o-4", "44"}, {"105", "EP-5"}}
	for i, w := range want {
		if it := o.Items[i]; it.ProductID != w[0] || it.ExternalID != w[1] || it.SKU != w[1] {
			t.Errorf("line %d: product %q, external %q, sku %q; want %v", i, it.ProductID, it.ExternalID, it.SKU, w)
		}
	}
	o = mustTransform(t, "line_without_sku_product_block")
	if it := o.Items[0]; it.ProductID != "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d" || it.ExternalID != "" || !it.Total.Equal(decimal.NewFromInt(318)) {
		t.Errorf("line without sku: %+v", it)
	}
}

func TestDeliveryPlaceFromEveryShape(t *testing.T) {
	cases := map[string]string{
		"new_contacts_hidden_empty":           "Вінниця, Відділення №7, вул. Соборна, 15",
		"settlement_office_nested_in_address": "Вінниця, Відділення №7, вул. Соборна, 15",
		"settlement_office_missing_ids_only":  "ID населеного пункту c2b3a1d0-5e6f-4a7b-8c9d-0e1f2a3b4c5d, ID відділення d3c4b2e1-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
		"office_title_and_number":             "Павлоград, Відділення Укрпошти №12",
	}
	for c, want := range cases {
		if got := mustTransform(t, c).DeliveryAddress; got != want {
			t.Errorf("%s: %q, want %q", c, got, want)
		}
	}
}

func TestRecordID(t *testing.T) {
	golden.TopLevelID(t, RecordID, "id", "items", map[string]string{
		`{"id": "3f6c", "items": [{"price": `: "3f6c",
		`{"items": [], "id": 77}`:             "77",
		`{"number": "58192585"}`:              "",
	})
}

func TestMarketplaceName(t *testing.T) {
	golden.Marketplace(t, Transform, read(t, "minimal"), Marketplace)
}

// FuzzTransform: no input makes Transform panic, and every failure is a
// *canon.FieldError the pipeline can record as a reject.
func FuzzTransform(f *testing.F) { golden.Fuzz(f, "testdata", Transform, RecordID, testStore) }

func read(t *testing.T, name string) []byte { return golden.Read(t, name+".json") }

func mustTransform(t *testing.T, name string) canon.Order {
	t.Helper()
	o, err := Transform(read(t, name), testStore)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return o
}
