package prom

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestEditByExternalID(t *testing.T) {
	f := newFixture(t, Options{Seed: 11})
	f.sb.AddStore("tok", 0)
	ids := f.sb.ExternalIDs("tok")
	if len(ids) < 200 {
		t.Fatalf("catalog has %d products", len(ids))
	}
	path := APIPath + "/products/edit_by_external_id"

	// Whole-body refusals: not an array, empty, more than 100 items.
	tooMany := make([]map[string]any, 101)
	for i := range tooMany {
		tooMany[i] = map[string]any{"id": ids[i], "quantity_in_stock": 999}
	}
	for _, body := range []any{map[string]any{"id": ids[0]}, []any{}, tooMany} {
		code, _, resp := f.call(t, "POST", "tok", path, body)
		if code != http.StatusBadRequest || !strings.Contains(string(resp), `"error"`) {
			t.Fatalf("%.60v: %d %s", body, code, resp)
		}
	}
	if p, _ := f.sb.Product("tok", ids[0]); p.QuantityInStock == 999 {
		t.Fatalf("a refused batch changed a product: %+v", p)
	}

	code, _, resp := f.call(t, "POST", "tok", path, []map[string]any{
		{"id": ids[0], "presence": "available", "quantity_in_stock": 7},
		{"id": ids[1], "presence": "not_available", "quantity_in_stock": 0},
		{"id": "NO-SUCH-SKU", "quantity_in_stock": 3},
		{"id": ids[2], "presence": "service"},
		{"id": ids[3], "quantity_in_stock": -1},
	})
	var out struct {
		Processed []string          `json:"processed_ids"`
		Errors    map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(resp, &out); err != nil || code != http.StatusOK {
		t.Fatalf("edit: %d %s", code, resp)
	}
	if fmt.Sprint(out.Processed) != fmt.Sprint([]string{ids[0], ids[1]}) {
		t.Errorf("processed %v", out.Processed)
	}
	for _, id := range []string{"NO-SUCH-SKU", ids[2], ids[3]} {
		if out.Errors[id] == "" {
			t.Errorf("no error for %s: %s", id, resp)
		}
	}
	for id, want := range map[string]CatalogProduct{
		ids[0]: {Presence: "available", QuantityInStock: 7},
		ids[1]: {Presence: "not_available", QuantityInStock: 0},
	} {
		p, ok := f.sb.Product("tok", id)
		if !ok || p.Presence != want.Presence || p.QuantityInStock != want.QuantityInStock {
			t.Errorf("product %s after edit: %+v", id, p)
		}
	}
	if p, _ := f.sb.Product("tok", ids[2]); p.Presence == "service" {
		t.Errorf("presence service was applied")
	}
}
