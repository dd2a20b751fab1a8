package decode

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kramar/kramar/schema/canon"
)

type line struct {
	ID       int64       `json:"id"`
	Quantity json.Number `json:"quantity"`
	Price    string      `json:"price" kramar:"required"`
}

type Embedded struct {
	Note string `json:"note"`
}

type record struct {
	ID    int64  `json:"id" kramar:"required"`
	Lines []line `json:"lines"`
	Buyer *struct {
		Phone string `json:"phone"`
	} `json:"buyer"`
	Embedded
	Flag   bool              `json:"flag"`
	Extra  json.RawMessage   `json:"extra"`
	Tags   map[string]string `json:"tags"`
	hidden string
}

// A required field whose value cannot be read rejects the record, named by
// its path.
func TestIntoRejectsOnlyUnreadableRequiredFields(t *testing.T) {
	cases := []struct{ name, in, field, reason string }{
		{"id is an object", `{"id":{"x":1}}`, "id", `expected an integer, got an object`},
		{"fractional id", `{"id":1.5}`, "id", `expected an integer, got number 1.5`},
		{"id text", `{"id":"abc"}`, "id", `expected an integer, got string "abc"`},
		{"case-insensitive key like encoding/json", `{"ID":"x"}`, "id", `expected an integer, got string "x"`},
		{"price is an object in the second line", `{"lines":[{"price":"1"},{"price":{"a":"1"}}]}`, "lines[1].price", "expected a string, got an object"},
		{"record is an array", `[1,2]`, "$", `expected an object, got an array`},
		{"truncated", `{"id":1,"lines":[`, "$", "malformed JSON: unexpected end of JSON input"},
	}
	for _, c := range cases {
		var r record
		err := Into([]byte(c.in), &r)
		var fe *canon.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a FieldError", c.name, err)
			continue
		}
		if fe.Field != c.field || fe.Reason != c.reason {
			t.Errorf("%s: got %q / %q, want %q / %q", c.name, fe.Field, fe.Reason, c.field, c.reason)
		}
	}
}

// Any other field of an unexpected type is read when its meaning is plain
// and left empty otherwise; the rest of the record loads.
func TestIntoReadsWhatItCanAndLeavesTheRestEmpty(t *testing.T) {
	phone := func(s string) *struct {
		Phone string `json:"phone"`
	} {
		return &struct {
			Phone string `json:"phone"`
		}{s}
	}
	cases := []struct {
		name, in string
		want     record
	}{
		{"ok, unknown fields ignored", `{"id":1,"lines":[{"id":2,"quantity":1.5,"price":"1"}],"unknown":{"x":1},"extra":[1]}`,
			record{ID: 1, Lines: []line{{ID: 2, Quantity: "1.5", Price: "1"}}, Extra: json.RawMessage("[1]")}},
		{"nulls are fine", `{"id":null,"lines":null,"buyer":null,"note":null}`, record{}},
		{"quoted number into json.Number", `{"id":1,"lines":[{"quantity":"2","price":"1"}]}`,
			record{ID: 1, Lines: []line{{Quantity: "2", Price: "1"}}}},
		{"id as string", `{"id":"123"}`, record{ID: 123}},
		{"id as 123.0", `{"id":123.0}`, record{ID: 123}},
		{"price as number keeps its digits", `{"id":1,"lines":[{"price":450.50}]}`, record{ID: 1, Lines: []line{{Price: "450.50"}}}},
		{"quantity text left empty", `{"id":1,"lines":[{"quantity":1,"price":"1"},{"quantity":"два","price":"2"}]}`,
			record{ID: 1, Lines: []line{{Quantity: "1", Price: "1"}, {Price: "2"}}}},
		{"decimal comma", `{"id":1,"lines":[{"quantity":"1,5","price":"1"}]}`, record{ID: 1, Lines: []line{{Quantity: "1.5", Price: "1"}}}},
		{"phone as number", `{"id":1,"buyer":{"phone":380501234567}}`, record{ID: 1, Buyer: phone("380501234567")}},
		{"buyer as a string is left empty", `{"id":1,"buyer":"Іван"}`, record{ID: 1}},
		{"embedded field as an array", `{"id":1,"note":[1]}`, record{ID: 1}},
		{"one object where a list is expected", `{"id":1,"lines":{"id":7,"price":"3"}}`, record{ID: 1, Lines: []line{{ID: 7, Price: "3"}}}},
		{"a string where a list is expected", `{"id":1,"lines":"none"}`, record{ID: 1}},
		{"bool as text", `{"id":1,"flag":"true"}`, record{ID: 1, Flag: true}},
		{"bool as 1", `{"id":1,"flag":1}`, record{ID: 1, Flag: true}},
		{"bool as an unknown word", `{"id":1,"flag":"yes please"}`, record{ID: 1}},
		{"map value of another type", `{"id":1,"tags":{"a":1,"b":{"c":2}}}`, record{ID: 1, Tags: map[string]string{"a": "1", "b": ""}}},
		{"a value left by a failed first decode does not stay", `{"id":1,"note":"n","flag":"x"}`, record{ID: 1, Embedded: Embedded{Note: "n"}}},
	}
	for _, c := range cases {
		var r record
		if err := Into([]byte(c.in), &r); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(r, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, r, c.want)
		}
	}
}

func TestExcerptIsShort(t *testing.T) {
	var r record
	long := `"` + strings.Repeat("абвгд", 20) + `"`
	err := Into([]byte(`{"id":`+long+`}`), &r)
	var fe *canon.FieldError
	if !errors.As(err, &fe) || len([]rune(fe.Reason)) > 80 || !strings.HasSuffix(fe.Reason, "…") {
		t.Fatalf("reason too long or missing: %v", err)
	}
}
