package cml

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

// The fixtures below are written for kramar; each reproduces the shape of a
// public real-world file:
//
//   - cml209_namespace.xml: a 1C order export at CML 2.09 as in
//     ArgentCrusade/commerceml tests/fixtures/documents-example.xml (root in
//     urn:1C.ru:commerceml_2, lines priced with Цена, Единица with child
//     elements, Налоги per line and per document, a Склады block);
//   - cml31_containers_bom.xml: CML 3.1 as in irpsv/commerceml
//     tests/assets/bitrix-module-6/documents/1/documents.xml @ 41056aa4a9285d01c590915a9d0d98a29dea9042
//     (one Контейнер per document, urn:1C.ru:commerceml_3, 1C's fixed-width
//     padding: Номер1С «L320       », Единица/Ид «796 », a 100-character
//     НаименованиеПолное), plus the UTF-8 BOM 1C writes;
//   - cml210_cp1251.xml: CML 2.10 as the 1C-Bitrix site export writes it
//     (avshatalov48/bitrix-core-business modules/sale/general/export.php:
//     windows-1251 by default, ЦенаЗаЕдиницу, an Единица with Код and
//     НаименованиеПолное only, line Скидки with УчтеноВСумме true).

func TestParseCML209Namespace(t *testing.T) {
	info, err := Parse(mustRead(t, "cml209_namespace.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if info.SchemaVersion != "2.09" || info.Namespace != "urn:1C.ru:commerceml_2" || len(info.Documents) != 2 {
		t.Fatalf("schema %q, namespace %q, %d documents", info.SchemaVersion, info.Namespace, len(info.Documents))
	}
	d := info.Documents[0]
	if d.Key() != "5107" || d.Number1C != "ЗК-000117" || d.Sum != "7441.2" {
		t.Errorf("document = %q %q %q", d.Key(), d.Number1C, d.Sum)
	}
	if want := []Tax{{Name: "ПДВ", Included: "false", Sum: "1240.2"}}; !reflect.DeepEqual(d.Taxes, want) {
		t.Errorf("document taxes %+v", d.Taxes)
	}
	it := d.Items[1]
	want := Item{
		ID:         "bd72d913-55bc-11d9-848a-00112f43529a#b02e2814-720f-11df-b436-0015e92f2802",
		Name:       "Черевики жіночі демісезонні (37, шкіра, беж)",
		TaxRates:   []TaxRate{{Name: "ПДВ", Rate: "20"}},
		Requisites: []Requisite{{Name: ReqItemKind, Value: "Взуття"}, {Name: ReqItemType, Value: "Товар"}},
		Measure:    &Measure{ID: "715", ShortName: "пар", Code: "715", FullName: "Пара (2 шт.)"},
		Factor:     "1", Quantity: "2", Price: "1875.5", Sum: "3751",
		Taxes: []Tax{{Name: "ПДВ", Included: "false", Sum: "750.2", Rate: "20"}},
	}
	if !reflect.DeepEqual(it, want) {
		t.Errorf("line 1 =\n%+v\nwant\n%+v", it, want)
	}
	if it.UnitPrice != "" || it.Unit != nil {
		t.Errorf("a CML 2.09 line has ЦенаЗаЕдиницу %q / БазоваяЕдиница %+v", it.UnitPrice, it.Unit)
	}
	if s := info.Documents[1].Items[1]; s.ID != "ORDER_DELIVERY" || s.Price != "120" || s.Taxes[0].Included != "true" {
		t.Errorf("delivery line %+v", s)
	}
}

func TestParseCML31ContainersBOMPadding(t *testing.T) {
	raw := mustRead(t, "cml31_containers_bom.xml")
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) || bytes.Count(raw, []byte("<Контейнер>")) != 3 {
		t.Fatal("fixture lost its BOM or its three containers")
	}
	info, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if info.SchemaVersion != "3.1" || info.Namespace != "urn:1C.ru:commerceml_3" || keys(info.Documents) != "320,482,483" || info.Containers != nil {
		t.Fatalf("schema %q, namespace %q, documents %q, containers %d", info.SchemaVersion, info.Namespace, keys(info.Documents), len(info.Containers))
	}
	d := info.Documents[0]
	// Values stay as 1C wrote them, padding included; readers trim.
	if d.Number1C != "L320       " || d.Counterparties[0].ID != "970#hnatiuk-s#Гнатюк Соломія " {
		t.Errorf("padding lost: %q, %q", d.Number1C, d.Counterparties[0].ID)
	}
	m := d.Items[0].Measure
	if m == nil || m.ID != "796 " || m.ShortName != "шт" || m.Code != "796" || len(m.FullName) != len("штука")+95 || strings.TrimSpace(m.FullName) != "штука" {
		t.Fatalf("Единица = %+v", m)
	}
	if m.Text != "" {
		t.Errorf("the whitespace between Единица's elements became its text: %q", m.Text)
	}
	if it := info.Documents[1].Items[0]; it.Price != "1266.5" || it.Quantity != "2" || it.Sum != "2403" ||
		!reflect.DeepEqual(it.Discounts, []Discount{{Name: "Скидка на товар", Sum: "130", Included: "true"}}) {
		t.Errorf("discounted line %+v", it)
	}
	if v, ok := FindRequisite(info.Documents[2].Requisites, ReqModified); !ok || v != "2025-08-06T14:20:01" {
		t.Errorf("change date %q %v", v, ok)
	}
}

func TestParseCML210Windows1251(t *testing.T) {
	raw := mustRead(t, "cml210_cp1251.xml")
	if bytes.Contains(raw, []byte("Документ")) {
		t.Fatal("testdata/cml210_cp1251.xml holds UTF-8 text")
	}
	info, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if info.Namespace != "urn:1C.ru:commerceml_210" || len(info.Documents) != 1 {
		t.Fatalf("namespace %q, %d documents", info.Namespace, len(info.Documents))
	}
	it := info.Documents[0].Items[0]
	if it.UnitPrice != "1518.00" || it.Price != "" || !reflect.DeepEqual(it.Measure, &Measure{Code: "796", FullName: "Штука"}) {
		t.Errorf("line %+v, Единица %+v", it, it.Measure)
	}
	if it.Name != "Ковдра вовняна 200x220" || len(it.Discounts) != 1 || it.Discounts[0].Sum != "82" {
		t.Errorf("line %+v", it)
	}
}

// TestMeasureTextForm: CML 2.05's schema makes a line's Единица plain text.
func TestMeasureTextForm(t *testing.T) {
	info, err := Parse([]byte(`<КоммерческаяИнформация ВерсияСхемы="2.05"><Документ><Ид>1</Ид><Сумма>10</Сумма><Товары><Товар>` +
		`<Наименование>Мед</Наименование><ЦенаЗаЕдиницу>10</ЦенаЗаЕдиницу><Количество>1</Количество><Единица> кг </Единица>` +
		`</Товар></Товары></Документ></КоммерческаяИнформация>`))
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Documents[0].Items[0].Measure; m == nil || *m != (Measure{Text: "кг"}) {
		t.Fatalf("Единица = %+v", m)
	}
}

// TestRecordsKeepTheRealShape: the JSON handed to the transform carries
// Цена, Единица, Налоги and Скидки, and reads back to the same document.
func TestRecordsKeepTheRealShape(t *testing.T) {
	raw := mustRead(t, "cml31_containers_bom.xml")
	recs, err := Records(raw)
	if err != nil || len(recs) != 3 {
		t.Fatalf("Records: %d, %v", len(recs), err)
	}
	for _, key := range []string{`"Цена":"1266.5"`, `"Единица":{"Ид":"796 "`, `"Налоги":[{`, `"Скидки":[{`, `"Номер1С":"K482       "`} {
		if !bytes.Contains(recs[1], []byte(key)) {
			t.Errorf("record 482 lacks %s: %s", key, recs[1])
		}
	}
	info, _ := Parse(raw)
	var back Document
	if err := json.Unmarshal(recs[1], &back); err != nil || !reflect.DeepEqual(back, info.Documents[1]) {
		t.Errorf("JSON round trip: %v\n%+v\n%+v", err, back, info.Documents[1])
	}
}

// TestContainersMarshalOnePerDocument: writing Containers gives one
// Контейнер per document, as 1C does, and reads back the same.
func TestContainersMarshalOnePerDocument(t *testing.T) {
	src, err := Parse(mustRead(t, "cml31_containers_bom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	out := Info{Namespace: "urn:1C.ru:commerceml_3", SchemaVersion: "3.1"}
	for _, d := range src.Documents {
		out.Containers = append(out.Containers, Container{Documents: []Document{d}})
	}
	body, err := xml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(body, []byte("<Контейнер>")); n != 3 || !bytes.HasPrefix(body, []byte(`<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_3"`)) {
		t.Fatalf("%d containers in %.200s", n, body)
	}
	back, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Documents, src.Documents) {
		t.Error("documents changed through a marshal and a parse")
	}
}
