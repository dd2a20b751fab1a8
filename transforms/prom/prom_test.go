package prom

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

var testStore = StoreContext{
	Store:       "prom-main",
	OrderType:   "retail",
	OrderSource: "Prom.ua",
	Mappings: mapping.Tables{
		Status: map[string]string{
			"pending":   "Новий",
			"received":  "Прийнято",
			"delivered": "Виконано",
			"canceled":  "Скасовано",
			"paid":      "Оплачено",
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

func TestFieldErrorType(t *testing.T) {
	_, err := Transform(json.RawMessage(`{"id":1,"date_created":"2025-03-01T10:00:00Z","price":"x"}`), testStore)
	var fe *canon.FieldError
	if !errors.As(err, &fe) || fe.Field != "price" {
		t.Fatalf("got %#v, want a *canon.FieldError for price", err)
	}
}

func TestRecordID(t *testing.T) {
	cases := map[string]string{
		`{"id": 123, "products": [{"id": 9}]}`:   "123",
		`{"products": [{"id": 9}], "id": 123}`:   "123",
		`{"id": "A-77"}`:                         "A-77",
		`{"id": null}`:                           "",
		`{"price": "1"}`:                         "",
		`{"id": 555, "products": [{"quantity": `: "555",
		`not json at all`:                        "",
		`{"id":"77","products":[{"id":1},{"id":`: "77",
	}
	for in, want := range cases {
		if got := RecordID(json.RawMessage(in)); got != want {
			t.Errorf("RecordID(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestMarketplaceName(t *testing.T) {
	raw := json.RawMessage(`{"id":1,"date_created":"2025-03-01T10:00:00Z","price":"1"}`)
	o, err := Transform(raw, StoreContext{Marketplace: "prom-kz", Store: "s"})
	if err != nil || o.Marketplace != "prom-kz" {
		t.Fatalf("got %q, %v", o.Marketplace, err)
	}
	if o, _ := Transform(raw, StoreContext{Store: "s"}); o.Marketplace != Marketplace {
		t.Fatalf("default marketplace: %q", o.Marketplace)
	}
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
