package source

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/kramar/kramar/extractors/httpx"
)

func TestPeekField(t *testing.T) {
	for _, c := range []struct {
		in, key, want string
		ok            bool
	}{
		{`{"id": 42, "x": 1}`, "id", "42", true},
		{`{"a": {"id": 1, "s": "}\"{"}, "b": [1, [2, {"id": 3}]], "id":7}`, "id", "7", true},
		{` { "name" : "a\"id\"" , "id" : "77" } `, "id", `"77"`, true},
		{`{"x": 1}`, "id", "", false},
		{`{"x": "unterminated}`, "id", "", false},
		{`[1,2]`, "id", "", false},
		{``, "id", "", false},
	} {
		got, ok := PeekField([]byte(c.in), c.key)
		if ok != c.ok || string(got) != c.want {
			t.Errorf("PeekField(%s, %q) = %q, %v; want %q, %v", c.in, c.key, got, ok, c.want, c.ok)
		}
	}
}

// Whatever PeekField finds must be what a full decode finds.
func FuzzPeekFieldAgreesWithDecode(f *testing.F) {
	for _, s := range []string{`{"id":1}`, `{"a":[{"id":2}],"id":3}`, `{"id":"x\"y"}`, `{"b":{"c":"}"},"id":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := PeekField([]byte(s), "id")
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &m) != nil || !ok {
			return // PeekField may be lenient on bad input; paging re-validates
		}
		if want, found := m["id"]; found && string(want) != string(got) {
			// encoding/json keeps the last duplicate key; PeekField the first.
			if countKey(s) == 1 {
				t.Fatalf("PeekField(%q) = %q, decode says %q", s, got, want)
			}
		}
	})
}

func countKey(s string) int {
	n := 0
	for i := 0; i+4 <= len(s); i++ {
		if s[i:i+4] == `"id"` {
			n++
		}
	}
	return n
}

func TestSizeDefaultsAndCaps(t *testing.T) {
	for _, c := range []struct{ store, def, max, want int }{
		{0, 100, 0, 100}, {-1, 100, 0, 100}, {25, 100, 0, 25}, {500, 100, 100, 100}, {0, 100, 50, 50}, {30, 100, 50, 30},
	} {
		if got := (Config{PageSize: c.store}).Size(c.def, c.max); got != c.want {
			t.Errorf("Size(%d, %d) of a store asking %d = %d, want %d", c.def, c.max, c.store, got, c.want)
		}
	}
}

func TestOneTurnsNotFoundIntoNotFoundError(t *testing.T) {
	missing := &httpx.Error{Kind: httpx.KindRequest, Status: http.StatusNotFound}
	refused := &httpx.Error{Kind: httpx.KindAuth, Status: http.StatusUnauthorized}
	var nf *NotFoundError
	if _, err := One("7", nil, missing, nil); !errors.As(err, &nf) || nf.ID != "7" {
		t.Errorf("a 404 gives %v, want order 7 not found", err)
	}
	if _, err := One("7", nil, refused, nil); err != refused {
		t.Errorf("a 401 gives %v, want it as it is", err)
	}
	if _, err := One("7", nil, refused, func(error) bool { return true }); !errors.As(err, &nf) {
		t.Errorf("the client's own not-found test is not used: %v", err)
	}
	if o, err := One("7", json.RawMessage(`{"id":7}`), nil, nil); err != nil || o.ID != "7" || string(o.Body) != `{"id":7}` {
		t.Errorf("a found record gives %+v, %v", o, err)
	}
}
