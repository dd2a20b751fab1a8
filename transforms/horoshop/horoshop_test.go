package horoshop

import (
	"testing"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

// testStore is testdata/STORE.yaml; it splits names and shows the shop's own articles.
var testStore = golden.Variant(golden.Store("testdata"), func(s *canon.Store) { s.Options = &Options{SplitNames: true} })

// unsplitExternal keeps names whole and shows the article buyers see.
var unsplitExternal = golden.Variant(testStore, func(s *canon.Store) { s.Options = &Options{Article: ArticleExternal} })

// TestGolden is the spec: testdata/<case>.json → <case>.golden.json with
// testStore, testdata/unsplit_external/ with unsplitExternal, and
// testdata/products/ through TransformProduct. The dst_* cases pin Kyiv's
// switches: 2026-03-29 03:30 is in the spring gap (read as winter time,
// 01:30Z); 2026-10-25 03:30 happens twice (read as the first, 00:30Z).
// Errors carry the record id the pipeline would reject the record under.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", golden.Orders(Transform, RecordID, testStore))
	golden.Dirs(t, map[string]golden.Func{
		"unsplit_external": golden.Orders(Transform, RecordID, unsplitExternal),
		"products":         golden.Products(TransformProduct, testStore),
	})
}

// A value the warehouse cannot do without (the id, money) rejects the
// order, naming the field; anything else of another type loads (see
// TestOtherFieldsOfAnotherTypeLoad).
func TestFieldErrorsNameTheField(t *testing.T) {
	golden.FieldErrors(t, golden.Fails(Transform, testStore), map[string]string{
		`{"order_id":1,"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":"1,,2"}`:                                                            "total_sum",
		`{"order_id":1,"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":1,"products":[{"price":1,"quantity":1},{"price":1,"quantity":-2}]}`: "products[1].quantity",
		`{"order_id":{"id":1},"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":1}`:                                                          "order_id",
	})
}

func TestOtherFieldsOfAnotherTypeLoad(t *testing.T) {
	body := `{"order_id":1,"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":1,"delivery_data":{"tnNumber":[1]}}`
	o, err := Transform([]byte(body), testStore)
	if err != nil || o.ExternalID != "1" || o.TTN != "" {
		t.Errorf("got %+v, %v; want the order with an empty ТТН", o, err)
	}
}

func TestSplitNamesPutsTheWholeNameInFirstNameWhenOff(t *testing.T) {
	body := []byte(`{"order_id":7,"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":1,"delivery_name":"Шевчук  Тарас Петрович"}`)
	o, err := Transform(body, unsplitExternal)
	if err != nil || o.RecipientFirstName != "Шевчук Тарас Петрович" || o.RecipientLastName != "" {
		t.Fatalf("unsplit: %+v %v", o, err)
	}
	o, err = Transform(body, testStore)
	if err != nil || o.RecipientLastName != "Шевчук" || o.RecipientFirstName != "Тарас" || o.RecipientMiddleName != "Петрович" {
		t.Fatalf("split: %+v %v", o, err)
	}
	if o.ManagerComment != "" || o.BuyerLastName != "Шевчук" {
		t.Fatalf("buyer is the recipient: %+v", o)
	}
}

func TestAvailable(t *testing.T) {
	for presence, want := range map[string]bool{
		"В наявності": true, " є  в наявності ": true, "В наличии": true, "Під замовлення": true,
		"Немає в наявності": false, "Нет в наличии": false, "Очікується": false, "": false, "щось інше": false,
	} {
		if got := Available(presence); got != want {
			t.Errorf("Available(%q) = %v", presence, got)
		}
	}
}

func TestRecordID(t *testing.T) {
	golden.TopLevelID(t, RecordID, "order_id", "products", map[string]string{
		`{"order_id":"42"}`: "42",
		`{"x":1}`:           "",
	})
}

func TestPresenceKind(t *testing.T) {
	for text, want := range map[string]Availability{
		"Є в наявності": AvailabilityInStock, "В наявності": AvailabilityInStock, "В наличии": AvailabilityInStock,
		"Під замовлення": AvailabilityOnOrder, "Немає в наявності": AvailabilityOutOfStock, "Нет в наличии": AvailabilityOutOfStock,
		"Очікується": AvailabilityUnknown, "": AvailabilityUnknown,
	} {
		if got := PresenceKind(text); got != want {
			t.Errorf("PresenceKind(%q) = %d, want %d", text, got, want)
		}
	}
}
