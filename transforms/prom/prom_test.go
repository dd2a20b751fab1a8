package prom

import (
	"encoding/json"
	"testing"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

var testStore = canon.Store{
	Store:       "prom-main",
	OrderType:   "retail",
	OrderSource: "Prom.ua",
	Mappings: canon.Mappings{
		Status: map[string]string{
			"pending":   "Новий",
			"received":  "Прийнято",
			"delivered": "Виконано",
			"canceled":  "Скасовано",
			"paid":      "Оплачено",
			// A company's own statuses: by code, and by the label the cabinet shows.
			"custom-137639":      "Підтверджено",
			"Очікує передоплату": "Чекає оплату",
		},
		Delivery: map[string]string{
			"нова пошта": "Нова пошта (відділення)", // case differs from the cabinet on purpose
			"Самовивіз":  "Самовивіз",
		},
		Payment: map[string]string{
			"Оплата при отриманні": "Накладений платіж",
			"Пром-оплата":          "Онлайн-оплата",
			"459":                  "Безготівковий розрахунок", // keyed by option id
		},
	},
}

// TestGolden is the spec: testdata/<case>.json → testdata/<case>.golden.json.
// Errors carry the record id the pipeline would reject the record under.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", golden.Orders(Transform, RecordID, testStore))
}

// sources names the public source of each golden case that reproduces a
// real shape; synthetic lists the cases written by hand to pin a rule. A
// new case goes into one of them (TestGoldenCasesAreSourced).
var sources = map[string]string{
	"real_custom_status": "ffers/cetwer12 prom_dict.py @ 55f9686e3ff0051d95e9cc8d384952af11a648d4, PromDict.order: " +
		"a real order in the company's own status (status custom-137639, status_name «Підтверджено»), delivery_recipient {}, " +
		"quantity 1.0, delivery_cost 80.0, nulls for email and sender_warehouse_id",
	"real_pending_russian_names": "ffers/cetwer12 prom_dict.py @ 55f9686e3ff0051d95e9cc8d384952af11a648d4, PromDict.order_prom_2: " +
		"status_name and payment option in Russian («Новый», «Наложенный платеж») without X-LANGUAGE, " +
		"delivery_provider_data.recipient_address with Nova Poshta refs, declaration_number null, payment_data null, delivery_cost 0",
	"custom_status_by_label": "the custom-{id} status of the real dump above (ffers/cetwer12 prom_dict.py) with a mapping " +
		"keyed by the label; the enum pending/received/delivered/canceled/draft/paid/custom-{id} is quoted from the Swagger " +
		"by the integration with update_prom_order_status",
	"price_as_number": "a third-party Prom order type file and its Python tests send price / full_price as JSON numbers " +
		"(synthetic values there, as here)",
	"price_plain_numeric": "amounts without the currency suffix (\"250\", \"250.5\"): what the JSON-number prices of " +
		"price_as_number's source read as once taken as text",
	"cancellation_as_string": "a third-party Python DTO of Prom orders types cancellation as Optional[str]; " +
		"real dumps show null (ffers/cetwer12 prom_dict.py) or {title, initiator}",
}

var synthetic = []string{
	"bad_date", "cancelled_with_reason", "empty_price", "evopay_paid", "evopay_unpaid", "fractional_quantity", "full",
	"id_as_string", "malformed_price", "malformed_product_price", "malformed_quantity", "minimal", "missing_id",
	"money_formats", "naive_date", "prosale", "recipient_differs", "recipient_same", "status_paid", "truncated",
	"unknown_status",
}

// TestGoldenCasesAreSourced: every golden case is either sourced or
// declared synthetic, and every listed case exists.
func TestGoldenCasesAreSourced(t *testing.T) {
	golden.Sources(t, "testdata", sources, synthetic...)
}

func TestFieldErrorType(t *testing.T) {
	golden.FieldErrors(t, golden.Fails(Transform, testStore), map[string]string{
		`{"id":1,"date_created":"2025-03-01T10:00:00Z","price":"x"}`: "price",
	})
}

func TestRecordID(t *testing.T) {
	golden.TopLevelID(t, RecordID, "id", "products", map[string]string{
		`{"price": "1"}`:                         "",
		`{"id":"77","products":[{"id":1},{"id":`: "77",
	})
}

func TestMarketplaceName(t *testing.T) {
	golden.Marketplace(t, Transform, json.RawMessage(`{"id":1,"date_created":"2025-03-01T10:00:00Z","price":"1"}`), Marketplace)
}

func TestNormalizeStatus(t *testing.T) {
	for in, want := range map[string]string{"cancelled": "canceled", " Canceled ": "canceled", "CANCELLED": "canceled", "pending": "pending", "": ""} {
		if got := NormalizeStatus(in); got != want {
			t.Errorf("NormalizeStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzTransform: no input makes Transform panic, and every failure is a
// *canon.FieldError the pipeline can record as a reject.
func FuzzTransform(f *testing.F) { golden.Fuzz(f, "testdata", Transform, RecordID, testStore) }
