package cml

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	wire "github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
	"github.com/kramar/kramar/transforms/mapping"
)

var testStore = StoreContext{
	Store:       "zakupka-main",
	OrderType:   "retail",
	OrderSource: "Zakupka.com",
	Mappings: mapping.Tables{
		Status:   map[string]string{"Новый": "Новий", "Подтвержден": "Прийнято", "N": "Новий", "отгружен": "Відправлено"},
		Delivery: map[string]string{"Новая Почта": "Нова пошта (відділення)", "Укрпочта": "Укрпошта"},
		Payment:  map[string]string{"наложенный платеж": "Накладений платіж", "Оплата на карту": "Онлайн-оплата"},
	},
}

// TestGolden is the spec: testdata/<case>.json → testdata/<case>.golden.json.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", golden.Orders(Transform, RecordID, testStore))
}

// TestGoldenOnlyNew: Zakupka's rule, non-new orders are skipped.
func TestGoldenOnlyNew(t *testing.T) {
	sc := testStore
	sc.OnlyNew = true
	golden.Run(t, "testdata/onlynew", golden.Orders(Transform, RecordID, sc))
}

// TestGoldenFiles runs whole CML files (windows-1251, UTF-8 with BOM)
// through the extractor's parser and the transform, as the pipeline does;
// each input names its XML file.
func TestGoldenFiles(t *testing.T) {
	sc := testStore
	sc.OnlyNew = true
	dir := "testdata/files"
	golden.Run(t, dir, func(in []byte) (any, error) {
		var manifest struct{ XML string }
		if err := json.Unmarshal(in, &manifest); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join(dir, manifest.XML))
		if err != nil {
			return nil, err
		}
		recs, err := wire.Records(data)
		if err != nil {
			return nil, err
		}
		type result struct {
			Order *canon.Order `json:"order,omitempty"`
			Error string       `json:"error,omitempty"`
		}
		out := make([]result, len(recs))
		for i, r := range recs {
			o, err := Transform(r, sc)
			if err != nil {
				out[i].Error = fmt.Sprintf("record %q: %v", RecordID(r), err)
				continue
			}
			out[i].Order = &o
		}
		return out, nil
	})
}

func TestSkipIsNotAReject(t *testing.T) {
	raw, err := os.ReadFile("testdata/onlynew/shipped_skipped.json")
	if err != nil {
		t.Fatal(err)
	}
	sc := testStore
	sc.OnlyNew = true
	_, err = Transform(raw, sc)
	var fe *canon.FieldError
	if !errors.Is(err, ErrSkipped) || errors.As(err, &fe) {
		t.Fatalf("got %v, want ErrSkipped and no FieldError", err)
	}
	if !Skip(raw) {
		t.Error("Skip = false for a shipped order")
	}
	sc.OnlyNew = false
	if _, err := Transform(raw, sc); err != nil {
		t.Errorf("without OnlyNew: %v", err)
	}
	if Skip(json.RawMessage(`{"Ид": 5}`)) {
		t.Error("Skip = true for an undecodable record; it must be rejected instead")
	}
}

func TestFieldErrorType(t *testing.T) {
	_, err := Transform(json.RawMessage(`{"Ид":"1","Дата":"2025-03-01","Сумма":"x"}`), testStore)
	var fe *canon.FieldError
	if !errors.As(err, &fe) || fe.Field != "Сумма" {
		t.Fatalf("got %#v, want a *canon.FieldError for Сумма", err)
	}
}

func TestRecordID(t *testing.T) {
	cases := map[string]string{
		`{"Ид": "77", "Номер": "5"}`:            "77",
		`{"Ид": "", "Номер": "5"}`:              "5",
		`{"Номер": "5"}`:                        "5",
		`{"Ид": "A-1", "Товары": [{"Ид": "x"`:   "A-1",
		`{"Номер": "12", "Товары": [{"Ид": "x"`: "12",
		`not json`: "",
		`{"Сумма": "1", "Контрагенты": [{"Ид": "client-9"}]}`: "",
	}
	for in, want := range cases {
		if got := RecordID(json.RawMessage(in)); got != want {
			t.Errorf("RecordID(%s) = %q, want %q", in, got, want)
		}
	}
}
