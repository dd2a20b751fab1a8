package cml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	wire "github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

var testStore = golden.Store("testdata")

// TestGolden is the spec: testdata/<case>.json → testdata/<case>.golden.json.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", golden.Orders(Transform, RecordID, testStore))
}

// zakupkaStore is testStore as a Zakupka store, which takes New orders only.
var zakupkaStore = golden.Variant(testStore, func(s *canon.Store) { s.Marketplace = Marketplace })

// TestGoldenOnlyNew: Zakupka's rule, non-new orders are skipped.
func TestGoldenOnlyNew(t *testing.T) {
	golden.Run(t, "testdata/onlynew", golden.Orders(Transform, RecordID, zakupkaStore))
}

// TestGoldenFiles runs whole CML files (windows-1251, UTF-8 with BOM)
// through the extractor's parser and the transform, as the pipeline does;
// each input names its XML file.
func TestGoldenFiles(t *testing.T) {
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
			o, err := Transform(r, zakupkaStore)
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
	_, err = Transform(raw, zakupkaStore)
	var fe *canon.FieldError
	if !errors.Is(err, canon.ErrSkipped) || errors.As(err, &fe) {
		t.Fatalf("got %v, want ErrSkipped and no FieldError", err)
	}
	if !Skip(raw) {
		t.Error("Skip = false for a shipped order")
	}
	all := golden.Variant(zakupkaStore, func(s *canon.Store) { s.Options = &Options{AllStatuses: true} })
	if _, err := Transform(raw, all); err != nil {
		t.Errorf("with all_statuses: %v", err)
	}
	if _, err := Transform(raw, testStore); err != nil {
		t.Errorf("another platform's store: %v", err)
	}
	if Skip(json.RawMessage(`{"Ид": 5}`)) {
		t.Error("Skip = true for an undecodable record; it must be rejected instead")
	}
}

func TestFieldErrorType(t *testing.T) {
	golden.FieldErrors(t, golden.Fails(Transform, testStore), map[string]string{`{"Ид":"1","Дата":"2025-03-01","Сумма":"x"}`: "Сумма"})
}

func TestRecordID(t *testing.T) {
	golden.RecordIDs(t, RecordID, map[string]string{
		`{"Ид": "77", "Номер": "5"}`:            "77",
		`{"Ид": "", "Номер": "5"}`:              "5",
		`{"Номер": "5"}`:                        "5",
		`{"Ид": "A-1", "Товары": [{"Ид": "x"`:   "A-1",
		`{"Номер": "12", "Товары": [{"Ид": "x"`: "12",
		`not json`: "",
		`{"Сумма": "1", "Контрагенты": [{"Ид": "client-9"}]}`: "",
	})
}

// sources names the public file each golden case of the 1C / 1C-Bitrix
// line shapes reproduces (the fixtures are kramar's own; JSON has no room
// for the citation). Paths are relative to testdata.
var sources = map[string]string{
	"cml209_tax_on_top": "ArgentCrusade/commerceml tests/fixtures/documents-example.xml, document 142: lines priced with Цена, " +
		"Единица with child elements, НДС with УчтеноВСумме false per line; the document's Сумма 8186.84 is the line sums 6938 plus those taxes 1248.84",
	"cml209_tax_included_delivery": "ArgentCrusade/commerceml tests/fixtures/documents-example.xml, document 235: НДС with УчтеноВСумме true " +
		"(the Сумма already holds it) and an ORDER_DELIVERY service line priced with Цена",
	"cml31_padded_no_tax": "irpsv/commerceml tests/assets/bitrix-module-6/documents/1/documents.xml @ 41056aa4a9285d01c590915a9d0d98a29dea9042: " +
		"Номер1С «L320       », Единица/Ид «796 », a space-padded НаименованиеПолное, НДС «Без налога» with Сумма 0 and УчтеноВСумме false; " +
		"documents/2/documents.xml: Цена 1266.5",
	"line_discount_included": "avshatalov48/bitrix-core-business modules/sale/general/export.php writes a line's Скидки with УчтеноВСумме true " +
		"and a Сумма already reduced; modules/sale/general/order_loader.php (collectOrderInfo) takes Сумма / Количество as the price paid",
	"line_discount_not_included": "CML 2.05 schema as bound in LeylaKhb/ivlev-back src/main/java/ivlev/ivlevback/_1c/commerceml_205/Скидка.java: " +
		"a Скидка has an optional boolean УчтеноВСумме; false: the Сумма it belongs to does not have it taken off yet",
	"price_without_sum": "CML 2.05 schema, LeylaKhb/ivlev-back …/_1c/commerceml_205/Документ.java: a line's Сумма is optional (minOccurs 0)",
	"sum_without_price": "CML 2.05 schema, LeylaKhb/ivlev-back …/_1c/commerceml_205/Документ.java: ЦенаЗаЕдиницу is optional; " +
		"avshatalov48/bitrix-core-business modules/sale/general/order_loader.php derives the price as Сумма / Количество",
	"line_without_price_or_sum": "CML 2.05 schema, LeylaKhb/ivlev-back …/_1c/commerceml_205/Документ.java: price and Сумма both optional; " +
		"a line with neither cannot be priced and the order is rejected naming the field",
	"bad_tax_flag":        "CML 2.05 schema, LeylaKhb/ivlev-back …/_1c/commerceml_205/НалогВДокументе.java: УчтеноВСумме is an xs:boolean",
	"cml205_measure_text": "CML 2.05 schema, LeylaKhb/ivlev-back …/_1c/commerceml_205/Документ.java: a line's Единица is an xs:string",
	"files/cml209_namespace": "ArgentCrusade/commerceml tests/fixtures/documents-example.xml: the whole file's shape " +
		"(xmlns urn:1C.ru:commerceml_2, ВерсияСхемы 2.09, Склады, document-level Налоги, «Статуса заказа ИД» instead of «Статус заказа»)",
	"files/cml31_containers_bom": "irpsv/commerceml tests/assets/bitrix-module-6/documents/1/documents.xml @ 41056aa4a9285d01c590915a9d0d98a29dea9042: " +
		"xmlns urn:1C.ru:commerceml_3, one Контейнер per document, tab indentation, fixed-width padding; with the UTF-8 BOM 1C writes",
	"files/cml210_cp1251": "avshatalov48/bitrix-core-business modules/sale/general/export.php: windows-1251 by default, ЦенаЗаЕдиницу, " +
		"an Единица with Код and НаименованиеПолное only, a line Скидка with УчтеноВСумме true, ORDER_DELIVERY",
}

// newShapeMarkers are the keys only the CML 2.08+ / 3.x line shapes have
// (in the JSON the extractor hands on).
var newShapeMarkers = []string{`"Цена"`, `"Единица"`, `"Налоги"`, `"Скидки"`}

// TestGoldenSourcesListed: every golden case in the real 1C shapes names
// its public source in sources, and every source names a case that exists.
func TestGoldenSourcesListed(t *testing.T) {
	cases := map[string][]byte{} // case -> the JSON the transform reads
	inputs, _ := filepath.Glob("testdata/*.json")
	files, _ := filepath.Glob("testdata/files/*.json")
	for _, p := range append(inputs, files...) {
		if strings.HasSuffix(p, ".golden.json") {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "testdata/"), ".json")
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "files/") {
			var manifest struct{ XML string }
			if err := json.Unmarshal(raw, &manifest); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join("testdata/files", manifest.XML))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := wire.Records(data)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			raw = nil
			for _, r := range recs {
				raw = append(raw, r...)
			}
		}
		cases[name] = raw
	}
	for name, raw := range cases {
		for _, m := range newShapeMarkers {
			if bytes.Contains(raw, []byte(m)) && sources[name] == "" {
				t.Errorf("golden case %s uses %s but names no public source in sources", name, m)
				break
			}
		}
	}
	for name := range sources {
		if _, ok := cases[name]; !ok {
			t.Errorf("sources names %s, which is not a golden case", name)
		}
	}
}
