// Package drift compares what a marketplace sends with what kramar's wire
// model expects, payload by payload: fields the model does not know, fields
// it expects that are missing, and values whose JSON type changed. The wire
// structs of extractors/<name> are the model: a json tag with ",omitempty"
// (or ",omitzero") marks a field the marketplace may leave out, a pointer a
// field that may be null, `kramar:"required"` a field the warehouse cannot
// do without, and a field of type Known one sent but deliberately
// not read.
//
// The check reads the payload's bytes once without building anything, so it
// can run on every order the pipeline loads.
package drift

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kramar/kramar/transforms/decode"
)

// Type is a JSON value's type as the drift report names it.
type Type uint8

// The JSON types; Any accepts every one of them.
const (
	Any Type = iota
	Object
	Array
	String
	Number
	Bool
	Null
)

var typeNames = [...]string{Any: "any", Object: "object", Array: "array", String: "string", Number: "number", Bool: "bool", Null: "null"}

func (t Type) String() string { return typeNames[t] }

// Model is the expected shape of one kind of payload.
type Model struct{ root *Node }

// Node is the expected shape of one value.
type Node struct {
	Type Type
	// Nullable: null is an expected value here (a Go pointer, or a field
	// that may be left out).
	Nullable bool
	// Fields of an object, by JSON name; Open objects (Go maps) take any key
	// and check every value against Elem.
	Fields map[string]*Field
	Open   bool
	// Partial objects name only some of their keys (a declarative spec's
	// model): keys it does not name are not reported.
	Partial bool
	// Elem is the shape of an array's items or an open object's values.
	Elem *Node
	// NumberOrString: a number sent as a numeric string is expected too
	// (json.Number).
	NumberOrString bool
	// Accepts, for a type with its own JSON reader, is every JSON type it
	// reads (a bit per Type); its contents are its own business.
	Accepts uint8

	order    []*Field              // Fields sorted by name
	first    atomic.Pointer[Field] // the key the last payload began with
	expected []*Field              // those the marketplace may not leave out
	indexed  bool
	// leaf: a scalar with no reader of its own; a value of its Type is
	// simply stepped over.
	leaf bool
	// holdsRequired: a required field is somewhere below; a value of
	// another type here loses it.
	holdsRequired bool
}

// Field is one expected key of an object.
type Field struct {
	Name string
	Node *Node
	// Optional: the marketplace may leave the key out, or send it null.
	Optional bool
	// Required: the warehouse cannot do without its value.
	Required bool
	index    int
	// next is the field that followed this one in the last payload seen:
	// an API sends its keys in one order, so the next key is most often
	// found by one comparison instead of a map lookup.
	next atomic.Pointer[Field]
}

// NewModel returns a model for a hand-built shape (a declarative spec's).
func NewModel(root *Node) *Model {
	root.index()
	return &Model{root: root}
}

func (n *Node) index() {
	if n == nil || n.indexed {
		return
	}
	n.indexed = true
	n.leaf = n.Accepts == 0 && (n.Type == String || n.Type == Number || n.Type == Bool)
	if n.Fields != nil && n.order == nil {
		names := make([]string, 0, len(n.Fields))
		for name := range n.Fields {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			f := n.Fields[name]
			f.Name = name
			f.index = len(n.order)
			n.order = append(n.order, f)
			if !f.Optional {
				n.expected = append(n.expected, f)
			}
		}
	}
	for _, f := range n.order {
		f.Node.index()
		if f.Required || f.Node.holdsRequired {
			n.holdsRequired = true
		}
	}
	n.Elem.index()
	if n.Elem != nil && n.Elem.holdsRequired {
		n.holdsRequired = true
	}
}

// Known declares fields the marketplace sends that kramar deliberately
// does not read, so the drift check does not count them as unknown: a
// blank field whose known tag lists their keys,
//
//	_ drift.Known `known:"has_order_promo_free_delivery ps_promotion"`
//
// or one field of the key (omitzero keeps it out of JSON that a simulator
// writes from the same struct):
//
//	Flag drift.Known `json:"internal_flag,omitzero"`
//
// It takes any JSON value and keeps nothing.
type Known struct{}

// UnmarshalJSON accepts any value and keeps nothing.
func (*Known) UnmarshalJSON([]byte) error { return nil }

var (
	cacheMu sync.Mutex
	cache   = map[reflect.Type]*Model{}
)

// ModelOf returns the model of a wire struct (pass a zero value or a
// pointer to one). Models are built once per type.
func ModelOf(v any) *Model {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if m, ok := cache[t]; ok {
		return m
	}
	m := NewModel(nodeOf(t, map[reflect.Type]*Node{}))
	cache[t] = m
	return m
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	rawType         = reflect.TypeFor[json.RawMessage]()
	numberType      = reflect.TypeFor[json.Number]()
	knownType       = reflect.TypeFor[Known]()
)

func nodeOf(t reflect.Type, seen map[reflect.Type]*Node) *Node {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	if n, ok := seen[t]; ok {
		return n // a recursive type: share the node
	}
	switch {
	case t == rawType, t == knownType, t.Kind() == reflect.Interface:
		// Checked before the readers below: Known reads anything.
		return &Node{Type: Any}
	case t == numberType:
		return &Node{Type: Number, Nullable: nullable, NumberOrString: true}
	case reflect.PointerTo(t).Implements(unmarshalerType):
		// A type with its own reader decides what it takes: ask it.
		n := &Node{Type: primary(t), Accepts: accepts(t)}
		n.Nullable = nullable || n.Accepts&(1<<Null) != 0
		return n
	}
	n := &Node{Nullable: nullable}
	switch t.Kind() {
	case reflect.Struct:
		seen[t] = n
		n.Type = Object
		n.Fields = map[string]*Field{}
		addFields(n, t, seen)
	case reflect.Map:
		n.Type, n.Open, n.Elem = Object, true, nodeOf(t.Elem(), seen)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			n.Type = String // base64
			break
		}
		n.Type, n.Elem = Array, nodeOf(t.Elem(), seen)
		n.Nullable = n.Nullable || t.Kind() == reflect.Slice // json writes a nil slice as null
	case reflect.String:
		n.Type = String
	case reflect.Bool:
		n.Type = Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		n.Type = Number
	default:
		n.Type = Any
	}
	return n
}

// samples are one value of each JSON type, the kind a lenient reader is
// most likely to take (a numeric string).
var samples = [...]struct {
	t    Type
	json string
}{{Object, `{}`}, {Array, `[]`}, {String, `"1"`}, {Number, `1`}, {Bool, `true`}, {Null, `null`}}

// accepts finds which JSON types a type with its own reader reads, by
// handing it one sample of each.
func accepts(t reflect.Type) uint8 {
	var mask uint8
	for _, s := range samples {
		if json.Unmarshal([]byte(s.json), reflect.New(t).Interface()) == nil {
			mask |= 1 << s.t
		}
	}
	return mask
}

// primary is the JSON type a Go type's kind stands for.
func primary(t reflect.Type) Type {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return Object
	case reflect.Slice, reflect.Array:
		return Array
	case reflect.String:
		return String
	case reflect.Bool:
		return Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return Number
	}
	return Any
}

func addFields(n *Node, t reflect.Type, seen map[reflect.Type]*Node) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			addFields(n, f.Type, seen)
			continue
		}
		if names := f.Tag.Get("known"); f.Type == knownType && names != "" {
			for _, name := range strings.Fields(names) {
				n.Fields[name] = &Field{Node: &Node{Type: Any}, Optional: true}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fn := nodeOf(f.Type, seen)
		optional := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,") || f.Type == knownType
		n.Fields[name] = &Field{Node: fn, Optional: optional, Required: decode.IsRequired(f)}
	}
}

// RequiredAt tells whether the value at a folded path ("products[].price")
// is one the warehouse cannot do without, or holds one.
func (m *Model) RequiredAt(path string) bool {
	n := m.root
	for _, part := range strings.Split(path, ".") {
		key := strings.TrimRight(part, "[]")
		arrays := strings.Count(part[len(key):], "[]")
		if key != "" {
			if n == nil || n.Fields[key] == nil {
				return false
			}
			f := n.Fields[key]
			if f.Required {
				return true
			}
			n = f.Node
		}
		for ; arrays > 0 && n != nil; arrays-- {
			n = n.Elem
		}
	}
	return n != nil && n.holdsRequired
}
