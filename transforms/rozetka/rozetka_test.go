package rozetka

import (
	"encoding/json"
	"testing"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

// testStore is testdata/STORE.yaml; it gives customer cancels their own CRM status.
var testStore = golden.Variant(golden.Store("testdata"), func(s *canon.Store) {
	s.Options = &Options{CustomerCancelStatus: "Скасовано покупцем"}
})

// mappingOnlyStore leaves customer cancels to the status mapping.
var mappingOnlyStore = golden.Variant(testStore, func(s *canon.Store) { s.Options = nil })

// TestGolden is the spec. The dst_* cases pin Kyiv's switches (timeconv):
//
//	2026-03-29 (03:00 → 04:00)   02:30 → 00:30Z   03:00 → 01:00Z (gap)   03:30 → 01:30Z (gap)   04:00 → 01:00Z
//	2026-10-25 (04:00 → 03:00)   02:30 → 23:30Z   03:00 → 00:00Z (first) 03:30 → 00:30Z (first) 04:00 → 02:00Z
//
// A time in the gap never happened and is read as winter time (03:00 and
// 04:00 are the same instant); a time in the overlap happened twice and is
// read as the first, summer-time, occurrence.
//
// testdata/<case>.json → testdata/<case>.golden.json testdata/<case>.json → testdata/<case>.golden.json,
// read with testStore; testdata/mapping_only/ is read with mappingOnlyStore.
// Errors carry the record id the pipeline would reject the record under.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", golden.Orders(Transform, RecordID, testStore))
	golden.Dirs(t, map[string]golden.Func{"mapping_only": golden.Orders(Transform, RecordID, mappingOnlyStore)})
}

func TestFieldErrors(t *testing.T) {
	cases := map[string]string{
		`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":"x"}`:                                                                                                      "amount",
		`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":"1","cost":"1,2,3"}`:                                                                                       "cost",
		`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":"1","purchases":[{"status":1,"quantity":1,"price":"1"},{"status":1,"quantity":1,"price":"1","cost":"?"}]}`: "purchases[1].cost",
		`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":"1","purchases":[{"status":1,"quantity":"два"}]}`:                                                          "purchases[0].quantity",
		// kramar:"required": money and the id that cannot be read reject the order.
		`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":{"uah":1}}`:                                               "amount",
		`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":"1","purchases":[{"status":1,"quantity":1,"price":[1]}]}`: "purchases[0].price",
		`{"id":{"n":1},"created":"2025-03-01 10:00:00","status":1,"amount":"1"}`:                                               "id",
		`{"id":1,"created":"2025-03-01 10:00:00","status":1}`:                                                                  "amount",
	}
	// An unreadable change time or listed delivery cost is not money the
	// order stands on: the order loads (the drift check reports the field).
	for _, in := range []string{
		`{"id":1,"created":"2025-03-01 10:00:00","changed":"вчора","status":1,"amount":"1"}`,
		`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":"1","delivery":{"cost":"?"}}`,
	} {
		if _, err := Transform(json.RawMessage(in), testStore); err != nil {
			t.Errorf("Transform(%s) = %v, want the order", in, err)
		}
	}
	golden.FieldErrors(t, golden.Fails(Transform, testStore), cases)
}

func TestRecordID(t *testing.T) {
	golden.TopLevelID(t, RecordID, "id", "purchases", map[string]string{
		`{"amount": "1"}`: "",
		`{"purchases": [{"id": 1}], "id": 7, "cost`: "7",
		`{"purchases": [{"id": 1}, {"id": `:         "", // the id would come after the damage
	})
}

func TestMarketplaceName(t *testing.T) {
	golden.Marketplace(t, Transform, json.RawMessage(`{"id":1,"created":"2025-03-01 10:00:00","status":1,"amount":"1"}`), Marketplace)
}

// The customer-cancel set is part of the contract with the config: a store's
// customer_cancel_status reaches exactly these statuses.
func TestCustomerCancelStatuses(t *testing.T) {
	for _, id := range []int{17, 20, 24, 33, 37, 38, 40, 45} {
		if !CustomerCancelStatuses[id] {
			t.Errorf("status %d is a customer cancel", id)
		}
	}
	for _, id := range []int{1, 11, 12, 13, 16, 18, 28, 30, 42, 50} {
		if CustomerCancelStatuses[id] {
			t.Errorf("status %d is not a customer cancel", id)
		}
	}
}

// FuzzTransform: no input makes Transform panic, and every failure is a
// *canon.FieldError the pipeline can record as a reject.
func FuzzTransform(f *testing.F) { golden.Fuzz(f, "testdata", Transform, RecordID, testStore) }
