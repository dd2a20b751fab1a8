package drift

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type buyer struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

type item struct {
	SKU   string      `json:"sku"`
	Price json.Number `json:"price" kramar:"required"`
}

type order struct {
	ID       int64             `json:"id" kramar:"required"`
	Status   string            `json:"status"`
	Buyer    *buyer            `json:"buyer"`
	Items    []item            `json:"items"`
	Extra    json.RawMessage   `json:"extra,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Comment  string            `json:"comment,omitempty"`
	Flag     Known             `json:"internal_flag,omitzero"`
	Embedded                   // fields of an embedded struct are the order's own
	_        Known             `known:"promo legacy_id"`
}

type Embedded struct {
	Note string `json:"note,omitempty"`
}

func findings(t *testing.T, payload string) []string {
	t.Helper()
	var out []string
	ModelOf(order{}).Check([]byte(payload), func(f Finding) {
		s := string(f.Kind) + " " + f.Path + " " + f.Expected.String() + "→" + f.Observed.String()
		if f.Required {
			s += " required"
		}
		if f.Value != nil {
			s += " " + Mask(f.Value)
		}
		out = append(out, s)
	})
	return out
}

func TestCheckFindsUnknownMissingAndChangedFields(t *testing.T) {
	cases := []struct {
		name, payload string
		want          []string
	}{
		{"matches", `{"id":1,"status":"new","buyer":{"name":"Іван","phone":"+380501234567"},"items":[{"sku":"A","price":"10.5"},{"sku":"B","price":3}],"extra":{"x":[1]},"labels":{"a":"b"},"internal_flag":true,"note":"n","promo":{"a":1},"legacy_id":"7"}`, nil},
		{"optional and nullable left out", `{"id":1,"status":"new","buyer":null,"items":[]}`, nil},
		{"null where lines with money are expected", `{"id":1,"status":"new","buyer":null,"items":null}`, []string{"type_change items array→null required null"}},
		{"missing expected", `{"status":"new","buyer":{},"items":[]}`, []string{
			"missing_field buyer.name string→null",
			"missing_field id number→null required",
		}},
		{"unknown fields, one per path however many lines", `{"id":1,"status":"new","buyer":null,"items":[{"sku":"A","price":1,"offerId":77},{"sku":"B","price":1,"offerId":78}],"ttn_v2":{"n":"1"}}`, []string{
			"unknown_field items[].offerId any→number 99",
			"unknown_field items[].offerId any→number 99",
			"unknown_field ttn_v2 any→object {n}",
		}},
		{"type changes", `{"id":"77","status":5,"buyer":"Іван Петренко","items":{"sku":"A"},"labels":{"a":1},"comment":null}`, []string{
			"type_change id number→string required \"99\"",
			"type_change status string→number 9",
			"type_change buyer object→string \"Xxxx Xxxxxxxx\"",
			"type_change items array→object required {sku}",
			"type_change labels.* string→number 9",
		}},
		{"null where a value is expected", `{"id":1,"status":null,"buyer":null,"items":[{"sku":null,"price":null}]}`, []string{
			"type_change status string→null null",
			"type_change items[].sku string→null null",
			"type_change items[].price number→null required null",
		}},
		{"price as text is not a number", `{"id":1,"status":"x","buyer":null,"items":[{"sku":"A","price":"ten"}]}`, []string{
			"type_change items[].price number→string required \"xxx\"",
		}},
		{"escaped and case-folded keys", `{"\u0069d":1,"STATUS":"x","buyer":null,"items":[]}`, nil},
		{"truncated payload stops quietly", `{"id":1,"status":"x","buyer":{"name":"a`, nil},
	}
	for _, c := range cases {
		got := findings(t, c.payload)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestTallyCountsOncePerKeyWithTheFirstExample(t *testing.T) {
	var a Tally
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := ModelOf(order{})
	a.Check(m, "orders", []byte(`{"id":3,"status":12,"buyer":null,"items":[]}`), t0.Add(-time.Minute))
	a.Check(m, "orders", []byte(`{"id":1,"status":7,"buyer":null,"items":[]}`), t0)
	a.Check(m, "orders", []byte(`{"id":2,"status":8,"buyer":null,"items":[]}`), t0.Add(time.Minute))
	es := a.Entries()
	if len(es) != 1 {
		t.Fatalf("entries: %+v", es)
	}
	e := es[0]
	if e.Count != 3 || e.Example != "99" || !e.FirstSeen.Equal(t0.Add(-time.Minute)) || !e.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Errorf("entry: %+v", e)
	}
	if e.Describe() != "expected string, got number" {
		t.Errorf("describe: %s", e.Describe())
	}
}

func TestMaskHidesPersonalData(t *testing.T) {
	for in, want := range map[string]string{
		`"Іван Петренко"`:                             `"Xxxx Xxxxxxxx"`,
		`"+380501234567"`:                             `"+999999999999"`,
		`380501234567`:                                `999999999999`,
		`"custom-137639"`:                             `"xxxxxx-999999"`,
		`{"name":"Іван","phone":"1"}`:                 `{name,phone}`,
		`[1,{"a":[2,3]},"x"]`:                         `[3 items]`,
		`[{"a":1}]`:                                   `[1 item]`,
		`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}`: `{a,b,c,d,e,f}`,
		`null`:                              `null`,
		`"` + strings.Repeat("я", 60) + `"`: `"` + strings.Repeat("x", 39) + "…",
	} {
		if got := Mask([]byte(in)); got != want {
			t.Errorf("Mask(%s) = %s, want %s", in, got, want)
		}
	}
}

// flex reads a string or a number, as marketplaces' ids are sent.
type flex string

func (f *flex) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && (b[0] == '"' || (b[0] >= '0' && b[0] <= '9')) {
		*f = flex(strings.Trim(string(b), `"`))
		return nil
	}
	return errFlex
}

var errFlex = errors.New("not a string or number")

func TestTypesWithTheirOwnReaderAreAskedWhatTheyRead(t *testing.T) {
	type rec struct {
		ID flex `json:"id"`
	}
	var got []string
	m := ModelOf(rec{})
	for _, p := range []string{`{"id":"a"}`, `{"id":7}`, `{"id":{"x":1}}`, `{"id":[1]}`} {
		m.Check([]byte(p), func(f Finding) { got = append(got, f.Path+" "+f.Expected.String()+"→"+f.Observed.String()) })
	}
	want := []string{"id string→object", "id string→array"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRequiredAtFollowsFoldedPaths(t *testing.T) {
	m := ModelOf(order{})
	for path, want := range map[string]bool{
		"id": true, "items": true, "items[]": true, "items[].price": true,
		"items[].sku": false, "status": false, "buyer.name": false, "nope": false, "labels.x": false,
	} {
		if got := m.RequiredAt(path); got != want {
			t.Errorf("RequiredAt(%q) = %v, want %v", path, got, want)
		}
	}
}
