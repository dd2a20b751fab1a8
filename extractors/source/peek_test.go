package source

import (
	"encoding/json"
	"testing"
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
