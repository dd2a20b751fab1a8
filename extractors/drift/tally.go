package drift

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Key names one kind of difference on one endpoint.
type Key struct {
	Endpoint string
	Path     string
	Kind     Kind
	Expected Type
	Observed Type
}

// Entry is how often one difference was seen, with one masked example.
type Entry struct {
	Key
	Required  bool
	Count     uint64
	Example   string
	FirstSeen time.Time
	LastSeen  time.Time
}

// Tally counts findings by key. It is not safe for concurrent use.
type Tally struct {
	entries map[Key]*Entry
	scan    scanner // kept between payloads: its path stack is reused
	found   func(Finding)
	// of the payload being checked, for found
	endpoint string
	now      time.Time
}

// Add counts one finding seen at now on endpoint.
func (t *Tally) Add(endpoint string, f Finding, now time.Time) {
	k := Key{Endpoint: endpoint, Path: f.Path, Kind: f.Kind, Expected: f.Expected, Observed: f.Observed}
	if t.entries == nil {
		t.entries = map[Key]*Entry{}
	}
	e, ok := t.entries[k]
	if !ok {
		e = &Entry{Key: k, Required: f.Required, Example: Mask(f.Value), FirstSeen: now}
		t.entries[k] = e
	}
	e.Count++
	e.LastSeen = now
}

// Check runs the model over payload and counts what differs.
func (t *Tally) Check(m *Model, endpoint string, payload []byte, now time.Time) {
	if t.found == nil {
		t.found = func(f Finding) { t.Add(t.endpoint, f, t.now) }
	}
	t.endpoint, t.now = endpoint, now
	m.check(&t.scan, payload, t.found)
}

// Len is the number of distinct differences.
func (t *Tally) Len() int { return len(t.entries) }

// Entries lists the differences by endpoint, path and kind.
func (t *Tally) Entries() []Entry {
	out := make([]Entry, 0, len(t.entries))
	for _, e := range t.entries {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Endpoint != b.Endpoint {
			return a.Endpoint < b.Endpoint
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Observed < b.Observed
	})
	return out
}

// Describe says what an entry means, in words.
func (e Entry) Describe() string {
	return Describe(string(e.Kind), e.Expected.String(), e.Observed.String())
}

// Describe says what a difference of kind means, given the expected and
// observed JSON type names.
func Describe(kind, expected, observed string) string {
	switch Kind(kind) {
	case Unknown:
		return "new field (" + observed + ")"
	case Missing:
		return "expected " + expected + " is missing"
	}
	return "expected " + expected + ", got " + observed
}

// Mask shows a value's shape without its content, since examples may hold
// names and phone numbers: letters become x or X, digits 9, other
// characters stay; objects show their keys, arrays their length.
func Mask(v []byte) string {
	const limit = 40
	s := strings.TrimSpace(string(v))
	switch {
	case s == "":
		return ""
	case s[0] == '{':
		return maskObject(s)
	case s[0] == '[':
		return maskArray(s)
	case s == "true" || s == "false" || s == "null":
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == limit {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case unicode.IsUpper(r):
			b.WriteByte('X')
		case unicode.IsLetter(r):
			b.WriteByte('x')
		case unicode.IsDigit(r):
			b.WriteByte('9')
		case r == utf8.RuneError:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// members walks the members of the object or array s (whose last byte is
// end), calling each at the start of every one; each returns false to stop.
func members(s string, end byte, each func(sc *scanner) bool) {
	sc := &scanner{b: []byte(s), found: func(Finding) {}, i: 1}
	for {
		sc.ws()
		if sc.i >= len(sc.b) || sc.b[sc.i] == end {
			return
		}
		if sc.b[sc.i] == ',' {
			sc.i++
			continue
		}
		if !each(sc) || sc.bad {
			return
		}
	}
}

func maskObject(s string) string {
	var keys []string
	members(s, '}', func(sc *scanner) bool {
		k, ok := sc.key()
		if !ok {
			return false
		}
		if r := []rune(k); len(r) > 24 {
			k = string(r[:24]) + "…"
		}
		keys = append(keys, k)
		sc.ws()
		if sc.i < len(sc.b) && sc.b[sc.i] == ':' {
			sc.i++
		}
		sc.skip()
		return len(keys) < 6
	})
	// Keys are names of fields, not personal data: they show as sent.
	return "{" + strings.Join(keys, ",") + "}"
}

func maskArray(s string) string {
	n := 0
	members(s, ']', func(sc *scanner) bool {
		sc.skip()
		n++
		return true
	})
	if n == 1 {
		return "[1 item]"
	}
	return "[" + itoa(n) + " items]"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
