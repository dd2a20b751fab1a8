package declarative

import (
	"encoding/json"
	"testing"
)

func TestParsePath(t *testing.T) {
	for _, bad := range []string{"a..b", "a[", "a[x]", "a[-1]", "a]b", "a[0]b", ".a", "a.[0]"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) accepted", bad)
		}
	}
	for _, good := range []string{"a", "data.orders", "items[0].sku", "a[1][2]", "[0].id", "."} {
		if _, err := ParsePath(good); err != nil {
			t.Errorf("ParsePath(%q): %v", good, err)
		}
	}
	if p, _ := ParsePath(""); p.IsSet() {
		t.Error("empty path is set")
	}
}

func TestPathGetRawSet(t *testing.T) {
	raw := []byte(`{"data":{"orders":[{"id":7,"items":[{"sku":"A-1"},{"sku":"B-2"}]}],"n":null},"total":"1 234,50"}`)
	doc, err := decodeAny(raw)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"data.orders[0].id":           "7",
		"data.orders[0].items[1].sku": "B-2",
		"total":                       "1 234,50",
	}
	for path, want := range cases {
		v, ok := MustPath(path).Get(doc)
		if s, _ := scalarText(v); !ok || s != want {
			t.Errorf("Get(%s) = %v %v, want %s", path, v, ok, want)
		}
		r, found, err := MustPath(path).Raw(raw)
		var got any
		_ = json.Unmarshal(r, &got)
		if err != nil || !found {
			t.Errorf("Raw(%s) = %s %v %v", path, r, found, err)
		}
	}
	for _, missing := range []string{"data.n", "data.orders[3]", "data.orders[0].items.sku", "nope.x", "total.x"} {
		if v, ok := MustPath(missing).Get(doc); ok {
			t.Errorf("Get(%s) = %v, want absent", missing, v)
		}
		if r, found, err := MustPath(missing).Raw(raw); found || err != nil {
			t.Errorf("Raw(%s) = %s %v %v, want absent", missing, r, found, err)
		}
	}
	if _, _, err := MustPath("a.b").Raw([]byte(`{"a":{"b":`)); err == nil {
		t.Error("broken JSON gave no error")
	}
	// Raw keeps the bytes exactly as sent.
	if r, _, _ := MustPath("data.orders[0].items[0]").Raw(raw); string(r) != `{"sku":"A-1"}` {
		t.Errorf("Raw kept %s", r)
	}

	var built any
	built = MustPath("meta.next").Set(built, "c2")
	built = MustPath("lines[1].sku").Set(built, "X")
	built = MustPath("meta.total").Set(built, json.Number("3"))
	b, _ := json.Marshal(built)
	if string(b) != `{"lines":[null,{"sku":"X"}],"meta":{"next":"c2","total":3}}` {
		t.Errorf("Set built %s", b)
	}
	if v := MustPath(".").Set(built, "x"); v != "x" {
		t.Errorf("Set at the root = %v", v)
	}
}
