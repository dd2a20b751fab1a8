package epicentr

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
	"github.com/kramar/kramar/transforms/mapping"
)

// testStore maps some codes, one by the cabinet's label, and leaves others
// unmapped on purpose.
var testStore = StoreContext{
	Store:       "epicentr-main",
	OrderType:   "retail",
	OrderSource: "Epicentr",
	Mappings: mapping.Tables{
		Status: map[string]string{
			"new":       "Новий",
			"confirmed": "В обробці",
			"Підтверджено продавцем": "В обробці", // keyed by label: alternative spellings land here too
			"completed":            "Виконано",
			"canceled":             "Скасовано",
			"canceled_by_merchant": "Скасовано",
		},
		Delivery: map[string]string{
			"nova_poshta": "Нова пошта",
			"укрпошта":    "Укрпошта", // by label, in another case
		},
		Payment: map[string]string{
			"pay_on_delivery": "Накладений платіж",
			"monobank":        "Онлайн-оплата",
		},
	},
}

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
		"malformed_subtotal":         "subtotal",
		"malformed_item_price":       "items[1].price",
		"negative_item_price":        "items[0].price",
		"zero_quantity":              "items[1].quantity",
		"quantity_is_object":         "items[1].quantity",
		"missing_item_price":         "items[0].price",
		"malformed_delivery_price":   "address.shipment.deliveryPrice",
		"alternate_flag_not_boolean": "address.isAlternateRecipient",
		"address_is_a_string":        "address",
		"items_not_an_array":         "items",
		"malformed_created_at":       "createdAt",
		"missing_created_at":         "createdAt",
		"missing_id":                 "id",
		"missing_status":             "statusCode",
		"no_subtotal_no_items":       "subtotal",
		"malformed_json":             "$",
	}
	for name, field := range cases {
		_, err := Transform(read(t, name), testStore)
		var fe *canon.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v, want a *canon.FieldError for %s", name, err, field)
		}
	}
}

func TestRecordID(t *testing.T) {
	cases := map[string]string{
		`{"id": "3f6c", "items": [{"price": `: "3f6c",
		`{"items": [], "id": 77}`:             "77",
		`{"id": null}`:                        "",
		`{"number": "58192585"}`:              "",
		`garbage`:                             "",
	}
	for in, want := range cases {
		if got := RecordID(json.RawMessage(in)); got != want {
			t.Errorf("RecordID(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestMarketplaceName(t *testing.T) {
	raw := read(t, "minimal")
	if o, err := Transform(raw, StoreContext{Marketplace: "epicentr-test"}); err != nil || o.Marketplace != "epicentr-test" {
		t.Fatalf("%q %v", o.Marketplace, err)
	}
	if o, _ := Transform(raw, StoreContext{}); o.Marketplace != Marketplace {
		t.Fatalf("default: %q", o.Marketplace)
	}
}

// FuzzTransform: no input makes Transform panic, and every failure is a
// *canon.FieldError the pipeline can record as a reject.
func FuzzTransform(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*.json")
	for _, p := range inputs {
		if b, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, golden.Suffix) {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, err := Transform(raw, testStore)
		var fe *canon.FieldError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("error %v is not a FieldError", err)
		}
		_ = RecordID(raw)
	})
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTransform(t *testing.T, name string) canon.Order {
	t.Helper()
	o, err := Transform(read(t, name), testStore)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return o
}
