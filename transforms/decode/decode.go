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
	if !json.Valid(raw) {
		err := json.Unmarshal(raw, new(any))
		reason := "malformed JSON"
		if err != nil {
			reason += ": " + strings.TrimPrefix(err.Error(), "json: ")
		}
		return &canon.FieldError{Field: Root, Reason: reason}
	}
	t := reflect.TypeOf(v).Elem()
	fixed, fe := repair(json.RawMessage(bytes.TrimSpace(raw)), t, "", true)
	if fe != nil {
		return fe
	}
	// A decoder may have half-filled v before it failed: start again from zero.
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal(fixed, v); err != nil {
		return &canon.FieldError{Field: Root, Reason: strings.TrimPrefix(err.Error(), "json: ")}
	}
	return nil
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	numberType      = reflect.TypeFor[json.Number]()
	null            = json.RawMessage("null")
)

// repair returns raw with every value that does not fit t converted or
// replaced by null. A required value that cannot be read is an error.
func repair(raw json.RawMessage, t reflect.Type, path string, required bool) (json.RawMessage, *canon.FieldError) {
	if isNull(raw) {
		return raw, nil // json leaves the zero value; the transform decides if it is required
	}
	if t.Kind() == reflect.Pointer {
		return repair(raw, t.Elem(), path, required)
	}
	if !reflect.PointerTo(t).Implements(unmarshalerType) {
		switch t.Kind() {
		case reflect.Struct:
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil {
				return drop(raw, t, path, required)
			}
			return repairFields(obj, t, path)
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 {
				break // []byte is a base64 string: a leaf
			}
			var arr []json.RawMessage
			if json.Unmarshal(raw, &arr) != nil {
				if t.Kind() == reflect.Array || !sameCategory(raw, t.Elem()) {
					return drop(raw, t, path, required)
				}
				// One value where a list is expected: a list of one,
				// as XML-to-JSON converters send a single element.
				arr = []json.RawMessage{raw}
			}
			out := make([]json.RawMessage, len(arr))
			for i, item := range arr {
				fixed, fe := repair(item, t.Elem(), path+"["+strconv.Itoa(i)+"]", required)
				if fe != nil {
					return nil, fe
				}
				out[i] = fixed
			}
			b, _ := json.Marshal(out)
			return b, nil
		case reflect.Map:
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil {
				return drop(raw, t, path, required)
			}
			for k, item := range obj {
				fixed, fe := repair(item, t.Elem(), join(path, k), required)
				if fe != nil {
					return nil, fe
				}
				obj[k] = fixed
			}
			b, _ := json.Marshal(obj)
			return b, nil
		}
	}
	if fits(raw, t) {
		return raw, nil
	}
	if conv, ok := convert(raw, t); ok {
		return conv, nil
	}
	return drop(raw, t, path, required)
}

func repairFields(obj map[string]json.RawMessage, t reflect.Type, path string) (json.RawMessage, *canon.FieldError) {
	if fe := repairStruct(obj, t, path); fe != nil {
		return nil, fe
	}
	b, _ := json.Marshal(obj)
	return b, nil
}

func repairStruct(obj map[string]json.RawMessage, t reflect.Type, path string) *canon.FieldError {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, skip := jsonName(f)
		if skip {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && name == "" {
			if fe := repairStruct(obj, f.Type, path); fe != nil {
				return fe
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		key, raw, ok := lookupKey(obj, name)
		if !ok {
			continue
		}
		fixed, fe := repair(raw, f.Type, join(path, name), IsRequired(f))
		if fe != nil {
			return fe
		}
		obj[key] = fixed
	}
	return nil
}

// IsRequired tells whether a wire field is tagged `kramar:"required"`.
func IsRequired(f reflect.StructField) bool {
	return f.Tag.Get(RequiredTag) == "required"
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fits tells whether raw decodes into t as it is.
func fits(raw json.RawMessage, t reflect.Type) bool {
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
func drop(raw json.RawMessage, t reflect.Type, path string, required bool) (json.RawMessage, *canon.FieldError) {
	if required {
		return nil, mismatch(raw, t, path)
	}
	return null, nil
}

// lookupKey matches keys the way encoding/json does: exact, then ignoring case.
func lookupKey(obj map[string]json.RawMessage, name string) (string, json.RawMessage, bool) {
	if raw, ok := obj[name]; ok {
		return name, raw, true
	}
	for k, raw := range obj {
		if strings.EqualFold(k, name) {
			return k, raw, true
		}
	}
	return "", nil, false
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
