package declarative

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Path is a small JSON path: dotted object keys with array indexes
// ("data.orders", "customer.name", "items[0].sku", "[0].id"). "." is the
// document itself; the zero Path is "not set". Keys cannot contain '.',
// '[' or ']', which no marketplace we know of uses in a key.
type Path struct {
	text  string
	steps []step
}

type step struct {
	key   string
	index int // when key == "" this step is an array index
	isIdx bool
}

// ParsePath reads a path; "" gives the zero (unset) Path.
func ParsePath(s string) (Path, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Path{}, nil
	}
	p := Path{text: s}
	if s == "." {
		return p, nil
	}
	for part := range strings.SplitSeq(s, ".") {
		key, rest := part, ""
		if i := strings.IndexByte(part, '['); i >= 0 {
			key, rest = part[:i], part[i:]
		}
		switch {
		case strings.ContainsAny(key, "]"):
			return Path{}, fmt.Errorf("path %q: misplaced ']'", s)
		case key == "" && (rest == "" || len(p.steps) > 0):
			return Path{}, fmt.Errorf("path %q has an empty key", s)
		case key != "":
			p.steps = append(p.steps, step{key: key})
		}
		for rest != "" {
			num, after, ok := strings.Cut(strings.TrimPrefix(rest, "["), "]")
			n, err := strconv.Atoi(num)
			if !strings.HasPrefix(rest, "[") || !ok || err != nil || n < 0 {
				return Path{}, fmt.Errorf("path %q: an index must be [n] with n >= 0", s)
			}
			p.steps = append(p.steps, step{index: n, isIdx: true})
			rest = after
		}
	}
	return p, nil
}

// MustPath is ParsePath for paths written in code.
func MustPath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// UnmarshalYAML reads a path from a spec, naming the line of a bad one.
func (p *Path) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a JSON path must be a string like data.orders or items[0].sku", n.Line)
	}
	parsed, err := ParsePath(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*p = parsed
	return nil
}

// IsSet reports whether the spec gave the path.
func (p Path) IsSet() bool { return p.text != "" }

// IsRoot reports the path "." (the document itself).
func (p Path) IsRoot() bool { return p.text != "" && len(p.steps) == 0 }

// String is the path as written.
func (p Path) String() string { return p.text }

// Last is the path's last key ("" for an index or the root).
func (p Path) Last() string {
	if len(p.steps) == 0 {
		return ""
	}
	return p.steps[len(p.steps)-1].key
}

// Get reads the value at p in a document decoded into any (maps, slices,
// json.Number, string, bool, nil). A missing step or a null gives false.
func (p Path) Get(doc any) (any, bool) {
	cur := doc
	for _, s := range p.steps {
		switch v := cur.(type) {
		case map[string]any:
			if s.isIdx {
				return nil, false
			}
			cur = v[s.key]
		case []any:
			if !s.isIdx || s.index >= len(v) {
				return nil, false
			}
			cur = v[s.index]
		default:
			return nil, false
		}
	}
	return cur, cur != nil
}

// Raw reads the value at p from raw JSON, keeping its bytes exactly (a
// record is stored as the marketplace sent it). A missing step or a null
// gives false; the error is for JSON that does not parse.
func (p Path) Raw(doc []byte) (json.RawMessage, bool, error) {
	cur := json.RawMessage(doc)
	for _, s := range p.steps {
		if s.isIdx {
			var arr []json.RawMessage
			if err := json.Unmarshal(cur, &arr); err != nil {
				return nil, false, notShaped(err)
			}
			if s.index >= len(arr) {
				return nil, false, nil
			}
			cur = arr[s.index]
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(cur, &obj); err != nil {
			return nil, false, notShaped(err)
		}
		v, ok := obj[s.key]
		if !ok {
			return nil, false, nil
		}
		cur = v
	}
	if isNull(cur) {
		return nil, false, nil
	}
	return cur, true, nil
}

// notShaped lets a value of another type read as "absent" while broken JSON
// stays an error.
func notShaped(err error) error {
	if _, ok := err.(*json.UnmarshalTypeError); ok {
		return nil
	}
	return err
}

func isNull(raw []byte) bool { return strings.TrimSpace(string(raw)) == "null" || len(raw) == 0 }

// Set writes v at p into doc (creating objects and arrays on the way) and
// returns the new root; the sandbox builds its answers with it.
func (p Path) Set(doc, v any) any { return set(doc, p.steps, v) }

func set(cur any, steps []step, v any) any {
	if len(steps) == 0 {
		return v
	}
	s := steps[0]
	if s.isIdx {
		arr, _ := cur.([]any)
		for len(arr) <= s.index {
			arr = append(arr, nil)
		}
		arr[s.index] = set(arr[s.index], steps[1:], v)
		return arr
	}
	m, ok := cur.(map[string]any)
	if !ok {
		m = map[string]any{}
	}
	m[s.key] = set(m[s.key], steps[1:], v)
	return m
}

// decodeAny decodes JSON keeping numbers exact (money never becomes a float).
func decodeAny(raw []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
