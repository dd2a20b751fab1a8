package decode

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kramar/kramar/schema/canon"
)

type line struct {
	ID       int64       `json:"id"`
	Quantity json.Number `json:"quantity"`
	Price    string      `json:"price"`
}

type Embedded struct {
	Note string `json:"note"`
}

type record struct {
	ID    int64  `json:"id"`
	Lines []line `json:"lines"`
	Buyer *struct {
		Phone string `json:"phone"`
	} `json:"buyer"`
	Embedded
	Flag   bool            `json:"flag"`
	Extra  json.RawMessage `json:"extra"`
	hidden string
}

func TestInto(t *testing.T) {
	cases := []struct{ name, in, field, reason string }{
		{"ok", `{"id":1,"lines":[{"id":2,"quantity":1.5,"price":"1"}],"unknown":{"x":1},"extra":[1]}`, "", ""},
		{"nulls are fine", `{"id":null,"lines":null,"buyer":null,"note":null}`, "", ""},
		{"quoted number into json.Number is fine", `{"lines":[{"quantity":"2"}]}`, "", ""},
		{"bad quantity in second line", `{"lines":[{"quantity":1},{"quantity":"два"}]}`, "lines[1].quantity", `expected a number, got string "два"`},
		{"id as string", `{"id":"123"}`, "id", `expected an integer, got string "123"`},
		{"fractional id", `{"id":1.5}`, "id", `expected an integer, got number 1.5`},
		{"price as number", `{"lines":[{"price":450}]}`, "lines[0].price", `expected a string, got number 450`},
		{"nested pointer struct", `{"buyer":{"phone":380501234567}}`, "buyer.phone", `expected a string, got number 380501234567`},
		{"embedded field", `{"note":[1]}`, "note", `expected a string, got an array`},
		{"object instead of array", `{"lines":{"id":1}}`, "lines", `expected an array, got an object`},
		{"bool as string", `{"flag":"yes"}`, "flag", `expected true or false, got string "yes"`},
		{"case-insensitive key like encoding/json", `{"ID":"x"}`, "id", `expected an integer, got string "x"`},
		{"record is an array", `[1,2]`, "$", `expected an object, got an array`},
		{"truncated", `{"id":1,"lines":[`, "$", "malformed JSON: unexpected end of JSON input"},
		{"object instead of string", `{"lines":[{"price":{"a":"1"}}]}`, "lines[0].price", "expected a string, got an object"},
	}
	for _, c := range cases {
		var r record
		err := Into([]byte(c.in), &r)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
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

func TestExcerptIsShort(t *testing.T) {
	var r record
	long := `"` + strings.Repeat("абвгд", 20) + `"`
	err := Into([]byte(`{"id":`+long+`}`), &r)
	var fe *canon.FieldError
	if !errors.As(err, &fe) || len([]rune(fe.Reason)) > 80 || !strings.HasSuffix(fe.Reason, "…") {
		t.Fatalf("reason too long or missing: %v", err)
	}
}
