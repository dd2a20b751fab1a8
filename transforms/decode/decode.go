// Package decode unmarshals one raw marketplace record into its wire struct,
// leniently: marketplaces change a field's JSON type without notice (a price
// sent as a number instead of a string, a Unix time instead of a date
// string, an object where a string was), and one such field must not cost
// the whole order. A value of an unexpected type is converted when its
// meaning is plain (a number where a string is expected becomes its digits,
// a numeric string where a number is expected becomes the number, one
// object where an array is expected becomes a one-element array) and left
// empty otherwise; the drift check (extractors/drift) reports every such
// field. Only a field tagged `kramar:"required"` (what the warehouse cannot
// do without: the record's id, its money) rejects the record, with a
// *canon.FieldError naming the field as a JSON-style path
// ("products[1].price"). encoding/json alone reports neither array indices
// nor the field of a bad json.Number.
//
// Unknown fields are ignored: marketplaces add fields without notice.
package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	gojson "github.com/goccy/go-json"

	"github.com/kramar/kramar/schema/canon"
)

// Root is the field name used when the record as a whole is unreadable.
const Root = "$"

// RequiredTag is the struct tag that marks a field whose unreadable value
// rejects the whole record: `kramar:"required"`.
const RequiredTag = "kramar"

// Into unmarshals raw into v (a pointer to a wire struct). A value of the
// wrong JSON type is converted or left empty (see the package comment);
// the result is a *canon.FieldError only when the JSON is malformed or a
// required field cannot be read.
func Into(raw []byte, v any) error {
	// goccy/go-json decodes the same JSON into the same structs about four
	// times faster than encoding/json; only a record it refuses takes the
	// slow path below.
	if gojson.Unmarshal(raw, v) == nil {
		return nil
	}
	t := reflect.TypeOf(v).Elem()
	if !json.Valid(raw) {
		return malformed(raw)
	}
	fixed, _, fe := repair(bytes.TrimSpace(raw), t, nil, true)
	if fe != nil {
		return fe
	}
	// A decoder may have half-filled v before it failed: start again from zero.
	reflect.ValueOf(v).Elem().SetZero()
	if gojson.Unmarshal(fixed, v) == nil {
		return nil
	}
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal(fixed, v); err != nil {
		return &canon.FieldError{Field: Root, Reason: strings.TrimPrefix(err.Error(), "json: ")}
	}
	return nil
}

// malformed names the syntax error of a record that is not JSON.
func malformed(raw []byte) *canon.FieldError {
	reason := "malformed JSON"
	if err := json.Unmarshal(raw, new(any)); err != nil {
		reason += ": " + strings.TrimPrefix(err.Error(), "json: ")
	}
	return &canon.FieldError{Field: Root, Reason: reason}
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	numberType      = reflect.TypeFor[json.Number]()
	null            = json.RawMessage("null")
)

// repair returns raw with every value that does not fit t converted or
// replaced by null, and whether anything was. It walks the bytes and
// splices in only what changes, so a marketplace that changes one field of
// every order costs little more than the fast path. A required value that
// cannot be read is an error.
func repair(raw []byte, t reflect.Type, at *step, required bool) ([]byte, bool, *canon.FieldError) {
	if isNull(raw) {
		return raw, false, nil // json leaves the zero value; the transform decides if it is required
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !reflect.PointerTo(t).Implements(unmarshalerType) {
		switch t.Kind() {
		case reflect.Struct:
			if raw[0] != '{' {
				return drop(raw, t, at, required)
			}
			fs := structFields(t)
			return repairObject(raw, at, func(key []byte) (string, reflect.Type, bool, bool) {
				f, ok := fs.lookup(key)
				return f.name, f.typ, f.required, ok
			})
		case reflect.Map:
			if raw[0] != '{' {
				return drop(raw, t, at, required)
			}
			return repairObject(raw, at, func(key []byte) (string, reflect.Type, bool, bool) {
				return string(key), t.Elem(), required, true
			})
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 {
				break // []byte is a base64 string: a leaf
			}
			if raw[0] != '[' {
				if t.Kind() == reflect.Array || !sameCategory(raw, t.Elem()) {
					return drop(raw, t, at, required)
				}
				// One value where a list is expected: a list of one, as
				// XML-to-JSON converters send a single element.
				item, _, fe := repair(raw, t.Elem(), &step{parent: at, index: 0}, required)
				if fe != nil {
					return nil, false, fe
				}
				return append(append([]byte{'['}, item...), ']'), true, nil
			}
			return repairArray(raw, t.Elem(), at, required)
		}
	}
	if fits(raw, t) {
		return raw, false, nil
	}
	if conv, ok := convert(raw, t); ok {
		return conv, true, nil
	}
	return drop(raw, t, at, required)
}

// edit replaces raw[start:end] with with.
type edit struct {
	start, end int
	with       []byte
}

// edits are the repairs of one object's or array's values.
type edits []edit

// repair repairs the value raw[start:end], at s, and keeps the repair.
func (es *edits) repair(raw []byte, start, end int, t reflect.Type, s *step, required bool) *canon.FieldError {
	fixed, changed, fe := repair(raw[start:end], t, s, required)
	if changed && fe == nil {
		*es = append(*es, edit{start, end, fixed})
	}
	return fe
}

// apply is raw with the repairs made, and whether there were any.
func (es edits) apply(raw []byte) ([]byte, bool, *canon.FieldError) {
	if len(es) == 0 {
		return raw, false, nil
	}
	out := make([]byte, 0, len(raw)+16*len(es))
	last := 0
	for _, e := range es {
		out = append(append(out, raw[last:e.start]...), e.with...)
		last = e.end
	}
	return append(out, raw[last:]...), true, nil
}

// repairObject repairs the members of the object raw; field says what a
// key holds and its name in the model (ok false: a key the model does not
// have, left as it is).
func repairObject(raw []byte, at *step, field func(key []byte) (name string, t reflect.Type, required, ok bool)) ([]byte, bool, *canon.FieldError) {
	var fixes edits
	fe := eachValue(raw, func(key []byte, _, start, end int) *canon.FieldError {
		name, t, required, ok := field(key)
		if !ok {
			return nil
		}
		return fixes.repair(raw, start, end, t, &step{parent: at, key: name}, required)
	})
	if fe != nil {
		return nil, false, fe
	}
	return fixes.apply(raw)
}

func repairArray(raw []byte, elem reflect.Type, at *step, required bool) ([]byte, bool, *canon.FieldError) {
	var fixes edits
	fe := eachValue(raw, func(_ []byte, n, start, end int) *canon.FieldError {
		return fixes.repair(raw, start, end, elem, &step{parent: at, index: n}, required)
	})
	if fe != nil {
		return nil, false, fe
	}
	return fixes.apply(raw)
}

// eachValue calls visit with the bounds of each value of the object or
// array raw (valid JSON), its position, and for an object its key, unescaped.
func eachValue(raw []byte, visit func(key []byte, n, start, end int) *canon.FieldError) *canon.FieldError {
	object := raw[0] == '{'
	i, n := 1, 0
	for {
		i = SkipSpace(raw, i)
		if i >= len(raw) || raw[i] == '}' || raw[i] == ']' {
			return nil
		}
		if raw[i] == ',' {
			i++
			continue
		}
		var key []byte
		if object {
			keyEnd := SkipString(raw, i)
			if keyEnd < 0 {
				return nil // cannot happen: raw is valid JSON
			}
			key = raw[i+1 : keyEnd-1]
			if bytes.IndexByte(key, '\\') >= 0 {
				var unquoted string
				_ = json.Unmarshal(raw[i:keyEnd], &unquoted)
				key = []byte(unquoted)
			}
			i = SkipSpace(raw, SkipSpace(raw, keyEnd)+1) // past the colon
		}
		end := SkipValue(raw, i)
		if end < 0 {
			return nil
		}
		if fe := visit(key, n, i, end); fe != nil {
			return fe
		}
		i, n = end, n+1
	}
}

// step is one step of the path to a value, turned into text only for an
// error ("products[1].price").
type step struct {
	parent *step
	key    string // "" for an array item
	index  int
}

func (s *step) String() string {
	if s == nil {
		return ""
	}
	parent := s.parent.String()
	if s.key == "" {
		return parent + "[" + strconv.Itoa(s.index) + "]"
	}
	if parent == "" {
		return s.key
	}
	return parent + "." + s.key
}

// fieldInfo is what repair needs of one field of a wire struct.
type fieldInfo struct {
	name     string
	typ      reflect.Type
	required bool
}

// fieldSet are a struct's fields by JSON name, and by lower-cased name for
// the case-insensitive match encoding/json makes.
type fieldSet struct{ exact, folded map[string]fieldInfo }

func (fs *fieldSet) lookup(key []byte) (fieldInfo, bool) {
	if f, ok := fs.exact[string(key)]; ok { // no copy: Go looks the bytes up as they are
		return f, true
	}
	f, ok := fs.folded[strings.ToLower(string(key))]
	return f, ok
}

var fieldSets sync.Map // reflect.Type → *fieldSet

func structFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{exact: map[string]fieldInfo{}, folded: map[string]fieldInfo{}}
	addStructFields(fs, t)
	fieldSets.Store(t, fs)
	return fs
}

func addStructFields(fs *fieldSet, t reflect.Type) {
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, skip := jsonName(f)
		if skip {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && name == "" {
			embedded = append(embedded, f.Type)
			continue
		}
		if name == "" {
			name = f.Name
		}
		info := fieldInfo{name: name, typ: f.Type, required: IsRequired(f)}
		fs.exact[name] = info
		if _, taken := fs.folded[strings.ToLower(name)]; !taken {
			fs.folded[strings.ToLower(name)] = info
		}
	}
	// The outer struct's fields win over the embedded ones', as in encoding/json.
	for _, e := range embedded {
		inner := &fieldSet{exact: map[string]fieldInfo{}, folded: map[string]fieldInfo{}}
		addStructFields(inner, e)
		for k, v := range inner.exact {
			if _, ok := fs.exact[k]; !ok {
				fs.exact[k] = v
			}
		}
		for k, v := range inner.folded {
			if _, ok := fs.folded[k]; !ok {
				fs.folded[k] = v
			}
		}
	}
}

// IsRequired tells whether a wire field is tagged `kramar:"required"`.
func IsRequired(f reflect.StructField) bool {
	return f.Tag.Get(RequiredTag) == "required"
}

// fits tells whether raw decodes into t as it is: by its first byte for
// the plain kinds, by decoding it for the rest.
func fits(raw []byte, t reflect.Type) bool {
	if !reflect.PointerTo(t).Implements(unmarshalerType) && t != numberType {
		switch t.Kind() {
		case reflect.String:
			return raw[0] == '"'
		case reflect.Bool:
			return raw[0] == 't' || raw[0] == 'f'
		case reflect.Float32, reflect.Float64:
			return raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			_, err := strconv.ParseInt(string(raw), 10, t.Bits())
			return err == nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			_, err := strconv.ParseUint(string(raw), 10, t.Bits())
			return err == nil
		case reflect.Interface:
			return true
		}
	}
	return json.Unmarshal(raw, reflect.New(t).Interface()) == nil
}

// convert turns a scalar of the wrong JSON type into t's type when the
// meaning is plain; ok is false when it is not.
func convert(raw json.RawMessage, t reflect.Type) (json.RawMessage, bool) {
	s := strings.TrimSpace(string(raw))
	quoted := strings.HasPrefix(s, `"`)
	text := s
	if quoted {
		if json.Unmarshal(raw, &text) != nil {
			return nil, false
		}
		text = strings.TrimSpace(text)
	}
	scalar := quoted || s == "true" || s == "false" || isNumber(s)
	if !scalar {
		return nil, false // objects and arrays carry no plain scalar meaning
	}
	var out json.RawMessage
	switch {
	case t == numberType, t.Kind() == reflect.Float32, t.Kind() == reflect.Float64:
		n := strings.Replace(text, ",", ".", 1) // "12,50": a decimal comma
		if !isNumber(n) {
			return nil, false
		}
		out = json.RawMessage(n)
	case t.Kind() == reflect.String:
		b, _ := json.Marshal(text)
		out = b
	case isInt(t.Kind()):
		n, ok := integral(text)
		if !ok {
			return nil, false
		}
		out = json.RawMessage(n)
	case t.Kind() == reflect.Bool:
		switch strings.ToLower(text) {
		case "true", "1", "yes":
			out = json.RawMessage("true")
		case "false", "0", "no", "":
			out = json.RawMessage("false")
		default:
			return nil, false
		}
	default:
		return nil, false
	}
	if !fits(out, t) {
		return nil, false
	}
	return out, true
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func isNumber(s string) bool {
	return s != "" && json.Valid([]byte(s)) && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))
}

// integral reads "12", "12.0" or 12.0 as the integer 12; 12.5 is not one.
func integral(s string) (string, bool) {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) && isNumber(s) {
		return strconv.FormatInt(int64(f), 10), true
	}
	return "", false
}

// drop leaves a value that cannot be read empty, unless the warehouse
// cannot do without it.
func drop(raw []byte, t reflect.Type, at *step, required bool) ([]byte, bool, *canon.FieldError) {
	if required {
		return nil, false, mismatch(raw, t, at.String())
	}
	return null, true, nil
}

func jsonName(f reflect.StructField) (name string, skip bool) {
	if !f.IsExported() && !f.Anonymous {
		return "", true
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", true
	}
	name, _, _ = strings.Cut(tag, ",")
	return name, false
}

func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }

func mismatch(raw json.RawMessage, t reflect.Type, path string) *canon.FieldError {
	if path == "" {
		path = Root
	}
	return &canon.FieldError{Field: path, Reason: fmt.Sprintf("expected %s, got %s", describe(t), excerpt(raw))}
}

func describe(t reflect.Type) string {
	if t == numberType {
		return "a number"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return t.String()
}

// sameCategory tells whether raw could be one element of a list of t: an
// object for a list of objects, a scalar for a list of scalars.
func sameCategory(raw json.RawMessage, t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	object := t.Kind() == reflect.Struct || t.Kind() == reflect.Map
	switch kindOf(raw) {
	case "an object":
		return object
	case "an array":
		return false
	}
	return !object && t.Kind() != reflect.Slice
}

func kindOf(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	switch {
	case strings.HasPrefix(s, "{"):
		return "an object"
	case strings.HasPrefix(s, "["):
		return "an array"
	}
	return ""
}

// excerpt shows the offending value, cut short: it may hold personal data
// and it only needs to be recognisable.
func excerpt(raw json.RawMessage) string {
	const limit = 40
	if k := kindOf(raw); k != "" {
		return k
	}
	s := strings.TrimSpace(string(raw))
	kind := "string "
	switch {
	case s == "true" || s == "false":
		kind = ""
	case !strings.HasPrefix(s, `"`):
		kind = "number "
	}
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return kind + s
}

// Transform makes the transform of records whose wire type is W: a record
// is decoded into a fresh W as Into does (an unreadable required field
// rejects it), then build maps it for the store.
func Transform[W, T any](build func(w *W, store canon.Store) (T, error)) func(raw json.RawMessage, store canon.Store) (T, error) {
	return func(raw json.RawMessage, store canon.Store) (T, error) {
		var w W
		if err := Into(raw, &w); err != nil {
			var zero T
			return zero, err
		}
		return build(&w, store)
	}
}
