package declarative_test

import (
	"testing"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

// TestTransformGolden: testdata/<spec>/*.json through each shipped spec.
func TestTransformGolden(t *testing.T) {
	store := canon.Store{Store: "main", OrderType: "Роздріб", OrderSource: "Marketplace",
		Mappings: canon.Mappings{
			Status:   map[string]string{"accepted": "Підтверджено", "shipped": "Відправлено"},
			Delivery: map[string]string{"Нова Пошта": "НП"},
			Payment:  map[string]string{"Накладений платіж": "Післяплата"},
		}}
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			sp := loadSpec(t, name)
			sc := store
			sc.Marketplace = name
			golden.Run(t, "testdata/"+name, func(in []byte) (any, error) {
				o, err := sp.Transform(in, sc)
				if err != nil {
					return nil, err
				}
				return struct {
					RecordID string
					Order    any
				}{sp.RecordID(in), o}, nil
			})
		})
	}
}

// TestRecordIDOfBrokenJSON names a record that does not even parse.
func TestRecordIDOfBrokenJSON(t *testing.T) {
	sp := loadSpec(t, "skidka")
	if id := sp.RecordID([]byte(`{"number": 551202, "date_add": 17955`)); id != "551202" {
		t.Errorf("RecordID = %q", id)
	}
}

// TestRecords splits a saved list answer, a get_order answer or a bare order.
func TestRecords(t *testing.T) {
	sp := loadSpec(t, "skidka")
	for payload, want := range map[string]int{
		`{"status":"ok","result":{"items":[{"number":1},{"number":2}]},"total":2}`: 2,
		`{"status":"ok","result":{"order":{"number":1}}}`:                          1,
		`{"number":1}`: 1,
	} {
		recs, err := sp.Records([]byte(payload))
		if err != nil || len(recs) != want {
			t.Errorf("%s: %d records, %v; want %d", payload, len(recs), err, want)
		}
	}
	if _, err := sp.Records([]byte(`{"number":`)); err == nil {
		t.Error("broken JSON accepted")
	}
}
