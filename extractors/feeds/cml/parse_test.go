package cml

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/transforms/golden"
)

func mustRead(t *testing.T, name string) []byte { return golden.Read(t, name) }

func TestParseEncodingsAgree(t *testing.T) {
	want, err := Parse(mustRead(t, "orders_utf8.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Documents) != 2 || want.SchemaVersion != "2.05" {
		t.Fatalf("got %d documents, schema %q", len(want.Documents), want.SchemaVersion)
	}
	d := want.Documents[0]
	if d.ID != "10501" || d.Sum != "1734.50" || d.Items[0].UnitPrice != "319,00" || d.Items[0].Unit.Name != "кг" || d.Items[0].Unit.Code != "166" {
		t.Errorf("document 0 = %+v", d)
	}
	if got := d.Counterparties[0].FullName; got != "Коваленко-Шевчук Мар'яна Олегівна" {
		t.Errorf("full name %q", got)
	}
	if d.Comment != "Передзвоніть після 18:00 & не раніше" {
		t.Errorf("comment %q", d.Comment)
	}
	if v, ok := FindRequisite(d.Requisites, " статус ЗАКАЗА "); !ok || v != "Новый" {
		t.Errorf("status requisite = %q, %v", v, ok)
	}
	if p := want.Documents[1].Payments; len(p) != 1 || p[0].Sum != "250" || p[0].Method != "Оплата картой" {
		t.Errorf("payments = %+v", p)
	}
	for _, name := range []string{"orders_cp1251.xml", "orders_bom.xml"} {
		got, err := Parse(mustRead(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s parses differently from the UTF-8 file", name)
		}
	}
}

func TestCP1251FileIsReallyCP1251(t *testing.T) {
	raw := mustRead(t, "orders_cp1251.xml")
	if strings.Contains(string(raw), "Документ") {
		t.Fatal("testdata/orders_cp1251.xml holds UTF-8 text")
	}
}

func TestParseRefusals(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"entity DOCTYPE":    {`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "bbbb">]><КоммерческаяИнформация/>`, "DOCTYPE"},
		"undeclared entity": {"<?xml version=\"1.0\"?>\n<КоммерческаяИнформация>\n<Документ><Ид>&nbsp;</Ид></Документ></КоммерческаяИнформация>", "line 3"},
		"wrong root":        {`<yml_catalog/>`, "not a CommerceML file"},
		"truncated":         {"<?xml version=\"1.0\"?>\n<КоммерческаяИнформация>\n<Документ><Ид>1</Ид>", "line 3"},
		"unknown charset":   {`<?xml version="1.0" encoding="ebcdic"?><КоммерческаяИнформация/>`, "ebcdic"},
		"empty":             {``, "no КоммерческаяИнформация"},
	}
	for name, c := range cases {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
	big := strings.NewReader(strings.Repeat(" ", 100))
	if _, err := ReadAll(big, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadAll over the limit: %v", err)
	}
}

func TestContainersAreFolded(t *testing.T) {
	info, err := Parse([]byte(`<КоммерческаяИнформация ВерсияСхемы="3.1"><Контейнер><Документ><Ид>a</Ид></Документ></Контейнер><Контейнер><Документ><Ид>b</Ид></Документ></Контейнер></КоммерческаяИнформация>`))
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Documents) != 2 || info.Documents[1].ID != "b" {
		t.Fatalf("documents %+v", info.Documents)
	}
}

func TestTimes(t *testing.T) {
	kyiv := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04:05 -0700", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	cases := map[string]time.Time{
		"2025-03-09 15:19:27":       kyiv("2025-03-09 15:19:27 +0200"),
		"2025-07-09T15:19:27":       kyiv("2025-07-09 15:19:27 +0300"),
		"09.03.2025 15:19:27":       kyiv("2025-03-09 15:19:27 +0200"),
		"09.03.2025 15:19":          kyiv("2025-03-09 15:19:00 +0200"),
		"2025-03-09":                kyiv("2025-03-09 00:00:00 +0200"),
		"2025-03-09T15:19:27+01:00": kyiv("2025-03-09 15:19:27 +0100"),
	}
	for in, want := range cases {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseTime("вчора"); err == nil {
		t.Error("ParseTime accepted nonsense")
	}
	d := Document{Date: "2025-03-09", Time: "15:19:27"}
	if got, err := d.Created(); err != nil || !got.Equal(kyiv("2025-03-09 15:19:27 +0200")) {
		t.Errorf("Created = %v, %v", got, err)
	}
}

func TestInWindow(t *testing.T) {
	info, err := Parse(mustRead(t, "orders_utf8.xml"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { tm, _ := ParseTime(s); return tm }
	// 10501 changed 2025-03-09 16:00, 10502 changed 2025-03-10 11:30 (Kyiv).
	got := keys(info.InWindow(at("2025-03-09 16:00:00"), at("2025-03-10 11:29:59")))
	if got != "10501" {
		t.Errorf("window keeps %q", got)
	}
	got = keys(info.InWindow(at("2025-03-10 11:30:00"), at("2025-03-11 00:00:00")))
	if got != "10502" {
		t.Errorf("window keeps %q", got)
	}
	// No change dates at all: everything.
	for i := range info.Documents {
		info.Documents[i].Requisites = nil
	}
	if got := keys(info.InWindow(at("2030-01-01"), at("2030-01-02"))); got != "10501,10502" {
		t.Errorf("file without change dates keeps %q", got)
	}
}

func keys(docs []Document) string {
	var k []string
	for _, d := range docs {
		k = append(k, d.Key())
	}
	return strings.Join(k, ",")
}

func TestRecords(t *testing.T) {
	recs, err := Records(mustRead(t, "orders_cp1251.xml"))
	if err != nil || len(recs) != 2 {
		t.Fatalf("Records: %d, %v", len(recs), err)
	}
	var d Document
	if err := json.Unmarshal(recs[0], &d); err != nil || d.Counterparties[0].Name != "Коваленко-Шевчук Мар'яна Олегівна" {
		t.Fatalf("record 0: %v %+v", err, d)
	}
	one, err := Records(recs[1])
	if err != nil || len(one) != 1 {
		t.Fatalf("a JSON document: %d, %v", len(one), err)
	}
}
