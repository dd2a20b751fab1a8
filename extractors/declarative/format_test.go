package declarative

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/transforms/timeconv"
)

func TestMoneyFormats(t *testing.T) {
	cases := []struct {
		format string
		in     any
		want   string
	}{
		{MoneyNumber, json.Number("1234.5"), "1234.5"},
		{MoneyDot, "1,234.50", "1234.5"},
		{MoneyDot, "1,234", "1234"}, // a comma only groups thousands here
		{MoneyComma, "1.234,50", "1234.5"},
		{MoneyComma, "1234,05", "1234.05"},
		{MoneyComma, "1.234", "1234"}, // a dot only groups thousands here
		{MoneyAuto, "1 234,50 грн", "1234.5"},
		{MoneyAuto, "0,1", "0.1"},
	}
	for _, c := range cases {
		got, err := Formats{Money: c.format}.ParseMoney(c.in)
		if err != nil || got.String() != c.want {
			t.Errorf("%s %v = %s, %v; want %s", c.format, c.in, got, err, c.want)
		}
	}
	for _, bad := range []any{"12,34,5", "abc", true, map[string]any{}} {
		if _, err := (Formats{Money: MoneyComma}).ParseMoney(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	// What the sandbox writes, each format reads back exactly.
	for _, f := range []string{MoneyNumber, MoneyDot, MoneyComma, MoneyAuto} {
		for _, s := range []string{"0.01", "1234567.89", "-5.10"} {
			d, _ := Formats{Money: MoneyDot}.ParseMoney(s)
			back, err := Formats{Money: f}.ParseMoney(Formats{Money: f}.FormatMoney(d))
			if err != nil || !back.Equal(d) {
				t.Errorf("%s: %s came back as %s, %v", f, s, back, err)
			}
		}
	}
}

func TestTimeFormats(t *testing.T) {
	kyiv := TimeFormat{Layouts: []string{"02.01.2006 15:04"}, loc: timeconv.Kyiv}
	got, err := kyiv.Parse("20.11.2026 11:30")
	if want := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC); err != nil || !got.Equal(want) {
		t.Errorf("Kyiv winter time: %v %v", got, err)
	}
	got, _ = kyiv.Parse("20.07.2026 11:30")
	if want := time.Date(2026, 7, 20, 8, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Kyiv summer time: %v", got)
	}
	if s := kyiv.Format(time.Date(2026, 7, 20, 8, 30, 0, 0, time.UTC)); s != "20.07.2026 11:30" {
		t.Errorf("Format = %s", s)
	}
	unix := TimeFormat{Layouts: []string{"unix"}}
	if got, _ := unix.Parse(json.Number("1795080600")); !got.Equal(time.Unix(1795080600, 0)) || got.Location() != time.UTC {
		t.Errorf("unix: %v", got)
	}
	iso := TimeFormat{loc: timeconv.Kyiv}
	if got, _ := iso.Parse("2026-11-20T11:30:00+02:00"); !got.Equal(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("iso with offset: %v", got)
	}
	if got, _ := iso.Parse("2026-11-20 11:30:00"); !got.Equal(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("iso without offset in Kyiv: %v", got)
	}
	zoned := TimeFormat{Layouts: []string{"2006-01-02T15:04:05Z07:00"}, loc: timeconv.Kyiv}
	if got, _ := zoned.Parse("2026-11-20T09:30:00Z"); !got.Equal(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("a layout with its zone ignores the spec's: %v", got)
	}
	if _, err := kyiv.Parse("2026-11-20"); err == nil {
		t.Error("a time in another layout was accepted")
	}
}

func TestTemplates(t *testing.T) {
	if s := expand("gte:{{from}}|{{ to }}", map[string]string{"from": "1", "to": "2"}); s != "gte:1|2" {
		t.Errorf("expand = %s", s)
	}
	if v, ok := TemplateValue("gte:{{from}}", "gte:123"); !ok || v != "123" {
		t.Errorf("TemplateValue = %q %v", v, ok)
	}
	if _, ok := TemplateValue("gte:{{from}}", "lt:123"); ok {
		t.Error("TemplateValue accepted another shape")
	}
	if n, ok := Placeholder("{{page}}"); !ok || n != "page" {
		t.Error("Placeholder missed a lone placeholder")
	}
	if _, ok := Placeholder("x{{page}}"); ok {
		t.Error("Placeholder took a placeholder with text")
	}
}

// TestCheckBody: errors inside a 200 are classified by the spec's codes.
func TestCheckBody(t *testing.T) {
	s := &Spec{Errors: Errors{Code: MustPath("status"), Message: MustPath("error"), OKCodes: []string{"ok"}, AuthCodes: []string{"bad_key"}}}
	cases := map[string]httpx.Kind{
		`{"status":"ok","result":{}}`:                 "",
		`{"result":{}}`:                               "",
		`{"status":"bad_key","error":"Key expired"}`:  httpx.KindAuth,
		`{"status":"failed","error":"Bad filter"}`:    httpx.KindRequest,
		`{"status":"ok","error":"partial failure"}`:   httpx.KindRequest,
		`{"status":"failed","error":"bad_key"}`:       httpx.KindAuth,
		`{"status":"ok","error":""}`:                  "",
		`not json at all, httpx reports it by itself`: "",
	}
	for body, want := range cases {
		if got := httpx.KindOf(s.checkBody(200, []byte(body))); got != want {
			t.Errorf("%s: kind %q, want %q", body, got, want)
		}
	}
}
