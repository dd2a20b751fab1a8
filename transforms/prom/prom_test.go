package prom

import (
	"encoding/json"
	"testing"

	"github.com/kramar/kramar/transforms/golden"
)

var testStore = golden.Store("testdata")

// TestGolden is the spec: testdata/<case>.json → testdata/<case>.golden.json.
// Errors carry the record id the pipeline would reject the record under.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", golden.Orders(Transform, RecordID, testStore))
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
