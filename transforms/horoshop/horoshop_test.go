package horoshop

import (
	"testing"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

// testStore splits names and shows the shop's own articles.
var testStore = canon.Store{
	Store:       "hs-main",
	OrderType:   "retail",
	OrderSource: "Сайт",
	Options:     &Options{SplitNames: true},
	Mappings: canon.Mappings{
		Status:   map[string]string{"1": "Новий", "2": "В обробці", "6": "Відправлено", "3": "Виконано", "Не доставлене": "Скасовано"},
		Delivery: map[string]string{"нова пошта (відділення)": "НП відділення", "12": "НП кур'єр"},
		Payment:  map[string]string{"Накладений платіж": "Післяплата", "22": "Онлайн"},
	},
}

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

// fidelitySources names the public source of every golden case added for
// the Horoshop fidelity points (stock, waybill, cancellation, status
// titles); TestFidelityCasesCiteASource keeps the table and testdata in step.
var fidelitySources = map[string]string{
	"shipped_with_ttn": "Horoshop wiki \"Get order statuses\" (https://horoshop.atlassian.net/wiki/x/AgDB4w, " +
		"https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183381): status 6 is titled «Надіслане» / \"Shipping\"",
	"shipped_waybill_not_made_yet": "IgorShutko/horoshop-mcp docs/tools/orders-public-api.md @ 75008ccef5d483314dfb16d99e5c1bb3455843d9: " +
		"on an unprocessed order delivery_data.tnNumber is null; the block exists, the waybill does not yet",
	"tracking_code_without_tn": "Horoshop wiki \"Updating Orders\" (https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321): " +
		"tracking_code is the UkrPoshta tracking code shown in the buyer's profile; orders/get is not documented to return it, read when it does",
	"products/live_presence_ye_v_nayavnosti": "IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md @ 1bc7799b60b26831d23c7ba307c8981eb3fef004: " +
		"a live store exports presence «Є в наявності», and quantity reads 0 on stores without warehouse tracking",
	"products/warehouse_residues": "IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md @ 1bc7799b60b26831d23c7ba307c8981eb3fef004: " +
		"residues is a structural stock field whose export shape is unlike the import one; the product still reads",
}

func TestFidelityCasesCiteASource(t *testing.T) {
	golden.Sources(t, "testdata", fidelitySources)
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
