package drift

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/kramar/kramar/transforms/decode"
)

// Kind is what differs between a payload and its model.
type Kind string

const (
	// Unknown: a key the model does not have.
	Unknown Kind = "unknown_field"
	// Missing: a key the model expects in every payload is absent.
	Missing Kind = "missing_field"
	// TypeChange: a value of another JSON type than the model's.
	TypeChange Kind = "type_change"
)

// Finding is one difference in one payload.
type Finding struct {
	// Path is the JSON path with array indices folded ("products[].price"),
	// so one change counts once however many lines carry it.
	Path     string
	Kind     Kind
	Expected Type // Any for unknown fields
	Observed Type // Null for missing fields
	// Required: the field is one the warehouse cannot do without, or holds one.
	Required bool
	// Value is the payload's bytes of the value (nil for missing fields);
	// it may hold personal data: show it only through Mask.
	Value []byte
}

// Check compares one payload with the model and calls found for every
// difference. A malformed payload is checked as far as it reads.
func (m *Model) Check(payload []byte, found func(Finding)) {
	s := scanner{b: payload, found: found}
	s.value(m.root, false, "")
}

// check is Check with a scanner kept between payloads (a Tally's).
func (m *Model) check(s *scanner, payload []byte, found func(Finding)) {
	*s = scanner{b: payload, found: found, path: s.path[:0]}
	s.value(m.root, false, "")
}

type scanner struct {
	b     []byte
	i     int
	path  []string
	found func(Finding)
	bad   bool
}

func (s *scanner) pathString(last string) string {
	var b strings.Builder
	for _, p := range s.path {
		if p != "[]" && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	if last != "" {
		if last != "[]" && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(last)
	}
	if b.Len() == 0 {
		return "$"
	}
	return b.String()
}

func (s *scanner) ws() {
	// Compact JSON, what APIs send, has no whitespace: one comparison.
	for s.i < len(s.b) && s.b[s.i] <= ' ' {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the JSON type of the value at the cursor.
func (s *scanner) peek() Type {
	s.ws()
	if s.i >= len(s.b) {
		s.bad = true
		return Null
	}
	switch s.b[s.i] {
	case '{':
		return Object
	case '[':
		return Array
	case '"':
		return String
	case 't', 'f':
		return Bool
	case 'n':
		return Null
	}
	return Number
}

// value checks the value at the cursor against n (nil: not modelled) and
// moves past it. seg is the value's own path segment (its key, "[]" for an
// array item), pushed only when the value has insides to check: most
// values are leaves and need a path only for a finding.
func (s *scanner) value(n *Node, required bool, seg string) {
	t := s.peek()
	if s.bad {
		return
	}
	if n == nil || n.Type == Any {
		s.skip()
		return
	}
	required = required || n.holdsRequired
	if n.Accepts != 0 {
		start := s.i
		s.skip()
		if n.Accepts&(1<<t) == 0 && !(t == Null && n.Nullable && !required) || (t == Null && required) {
			s.found(Finding{Path: s.pathString(seg), Kind: TypeChange, Expected: n.Type, Observed: t, Required: required, Value: s.b[start:min(s.i, len(s.b))]})
		}
		return
	}
	// A null where the warehouse needs a value is a difference, however
	// nullable the Go type.
	nullOK := n.Nullable && !required
	if t != n.Type && !(t == Null && nullOK) {
		start := s.i
		if t == String && n.NumberOrString && s.numericString() {
			return
		}
		s.i = start
		s.skip()
		s.found(Finding{Path: s.pathString(seg), Kind: TypeChange, Expected: n.Type, Observed: t, Required: required, Value: s.b[start:min(s.i, len(s.b))]})
		return
	}
	if t != Object && t != Array {
		s.skip()
		return
	}
	if seg != "" {
		s.path = append(s.path, seg)
	}
	if t == Object {
		s.object(n)
	} else {
		s.array(n)
	}
	if seg != "" {
		s.path = s.path[:len(s.path)-1]
	}
}

func (s *scanner) object(n *Node) {
	s.i++ // {
	// Which fields were seen, for the missing ones: a bit per field (the
	// first 256 of an object, more than any marketplace sends).
	var seen [4]uint64
	var prev *Field // the field matched last, to predict the next key
	for {
		s.ws()
		if s.i >= len(s.b) {
			s.bad = true
			return
		}
		if s.b[s.i] == '}' {
			s.i++
			break
		}
		if s.b[s.i] == ',' {
			s.i++
			continue
		}
		// The key the last payload had here, if this one has it too, is
		// matched in place: no search for the key's end, no lookup.
		var f *Field
		var key string
		predicted := n.first.Load()
		if prev != nil {
			predicted = prev.next.Load()
		}
		if predicted != nil && s.at(predicted.Name) {
			f, key = predicted, predicted.Name
		} else {
			var ok bool
			if key, ok = s.key(); !ok {
				return
			}
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			s.bad = true
			return
		}
		s.i++
		if n.Open {
			s.value(n.Elem, false, "*")
			continue
		}
		if f == nil {
			if f = n.Fields[key]; f == nil {
				f = n.fold(key)
			}
			if f != nil {
				if prev != nil {
					prev.next.Store(f)
				} else {
					n.first.Store(f)
				}
			}
		}
		if f == nil {
			if n.Partial {
				s.skip()
				continue
			}
			start := s.peekStart()
			t := s.peek()
			s.skip()
			s.found(Finding{Path: s.pathString(string(key)), Kind: Unknown, Expected: Any, Observed: t, Value: s.b[start:min(s.i, len(s.b))]})
			continue
		}
		if f.index < len(seen)*64 {
			seen[f.index/64] |= 1 << (f.index % 64)
		}
		prev = f
		if t := s.peek(); t == f.Node.Type && f.Node.leaf {
			s.skip() // the common case: a scalar of the expected type
			continue
		} else if t == Null && f.Optional && !f.Required && !f.Node.holdsRequired {
			s.skip() // a field that may be left out may as well be null
			continue
		}
		s.value(f.Node, f.Required, f.Name)
		if s.bad {
			return
		}
	}
	for _, f := range n.expected {
		if f.index < len(seen)*64 && seen[f.index/64]&(1<<(f.index%64)) == 0 {
			s.found(Finding{Path: s.pathString(f.Name), Kind: Missing, Expected: f.Node.Type, Observed: Null, Required: f.Required || f.Node.holdsRequired})
		}
	}
}

// fold finds a field whose name matches key ignoring case, as
// encoding/json does when it decodes.
func (n *Node) fold(key string) *Field {
	for _, f := range n.order {
		if strings.EqualFold(f.Name, key) {
			return f
		}
	}
	return nil
}

func (s *scanner) peekStart() int { s.ws(); return s.i }

func (s *scanner) array(n *Node) {
	s.i++ // [
	for {
		s.ws()
		if s.i >= len(s.b) {
			s.bad = true
			return
		}
		switch s.b[s.i] {
		case ']':
			s.i++
			return
		case ',':
			s.i++
			continue
		}
		s.value(n.Elem, false, "[]")
		if s.bad {
			return
		}
	}
}

// at tells whether the key at the cursor is name, and if so moves past it.
func (s *scanner) at(name string) bool {
	end := s.i + 1 + len(name)
	if end >= len(s.b) || s.b[s.i] != '"' || s.b[end] != '"' || string(s.b[s.i+1:end]) != name {
		return false
	}
	s.i = end + 1
	return true
}

// key reads an object key. Keys without escapes are taken from the
// payload without copying.
func (s *scanner) key() (string, bool) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		s.bad = true
		return "", false
	}
	start := s.i + 1
	end := decode.SkipString(s.b, s.i)
	if end < 0 {
		s.bad = true
		return "", false
	}
	s.i = end
	body := s.b[start : end-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return unsafeString(body), true
	}
	return unescape(s.b[start-1 : end]), true
}

// numericString tells whether the string at the cursor holds a number, and
// moves past it.
func (s *scanner) numericString() bool {
	start := s.i
	s.skip()
	body := s.b[start+1 : max(start+1, s.i-1)]
	if len(body) == 0 {
		return false
	}
	for _, c := range body {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return false
		}
	}
	return true
}

// skip moves past the value at the cursor.
func (s *scanner) skip() {
	s.ws() // usually a no-op: peek has been here
	end := decode.SkipValue(s.b, s.i)
	if end < 0 {
		s.i, s.bad = len(s.b), true
		return
	}
	s.i = end
}

func unescape(quoted []byte) string {
	var out string
	if err := json.Unmarshal(quoted, &out); err != nil || !utf8.ValidString(out) {
		return string(quoted[1 : len(quoted)-1])
	}
	return out
}
