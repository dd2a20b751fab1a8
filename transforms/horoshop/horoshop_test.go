package horoshop

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
	"github.com/kramar/kramar/transforms/mapping"
)

// testStore splits names and shows the shop's own articles.
var testStore = StoreContext{
	Store:       "hs-main",
	OrderType:   "retail",
	OrderSource: "Сайт",
	SplitNames:  true,
	Mappings: mapping.Tables{
		Status:   map[string]string{"1": "Новий", "2": "В обробці", "6": "Відправлено", "3": "Виконано", "Не доставлене": "Скасовано"},
		Delivery: map[string]string{"нова пошта (відділення)": "НП відділення", "12": "НП кур'єр"},
		Payment:  map[string]string{"Накладений платіж": "Післяплата", "22": "Онлайн"},
	},
}

// unsplitExternal keeps names whole and shows the article buyers see.
var unsplitExternal = func() StoreContext {
	s := testStore
	s.SplitNames, s.Article = false, ArticleExternal
	return s
}()

// TestGolden is the spec: testdata/<case>.json → <case>.golden.json with
// testStore, testdata/unsplit_external/ with unsplitExternal, and
// testdata/products/ through TransformProduct. The dst_* cases pin Kyiv's
// switches: 2026-03-29 03:30 is in the spring gap (read as winter time,
// 01:30Z); 2026-10-25 03:30 happens twice (read as the first, 00:30Z).
// Errors carry the record id the pipeline would reject the record under.
func TestGolden(t *testing.T) {
	run := func(store StoreContext) golden.Func { return golden.Orders(Transform, RecordID, store) }
	golden.Run(t, "testdata", run(testStore))
	t.Run("unsplit_external", func(t *testing.T) {
		golden.Run(t, filepath.Join("testdata", "unsplit_external"), run(unsplitExternal))
	})
	t.Run("products", func(t *testing.T) {
		golden.Run(t, filepath.Join("testdata", "products"), func(input []byte) (any, error) {
			return TransformProduct(input, testStore)
		})
	})
}

func TestFieldErrorsNameTheField(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"order_id":1,"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":"1,,2"}`, "total_sum"},
		{`{"order_id":1,"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":1,"products":[{"price":1,"quantity":1},{"price":1,"quantity":-2}]}`, "products[1].quantity"},
		{`{"order_id":1,"stat_status":1,"stat_created":"2026-01-01 10:00:00","total_sum":1,"delivery_data":{"tnNumber":[1]}}`, "delivery_data.tnNumber"},
	} {
		_, err := Transform([]byte(c.body), testStore)
		var fe *canon.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: got %v, want a field error on %s", c.body, err, c.field)
		}
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
	if !strings.Contains(RecordID([]byte(`{"order_id":"42"}`)), "42") || RecordID([]byte(`{"x":1}`)) != "" {
		t.Error("RecordID")
	}
}
