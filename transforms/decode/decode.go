// Package decode unmarshals one raw marketplace record into its wire struct
// and, when that fails, names the failing field as a JSON-style path
// ("products[1].quantity") so the record can be rejected with a reason an
// operator can act on. encoding/json alone reports neither array indices nor
// the field of a bad json.Number.
//
// Unknown fields are ignored: marketplaces add fields without notice.
package decode

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/kramar/kramar/schema/canon"
)

// Root is the field name used when the record as a whole is unreadable.
const Root = "$"

// Into unmarshals raw into v (a pointer to a wire struct). On failure it
// returns a *canon.FieldError whose Field is the path of the first bad
// field, in struct field order.
func Into(raw []byte, v any) error {
	// goccy/go-json decodes the same JSON into the same structs about four
	// times faster than encoding/json; the rare failure is re-read with
	// encoding/json, whose errors the path search below understands.
	if gojson.Unmarshal(raw, v) == nil {
		return nil
	}
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || !json.Valid(raw) {
		return &canon.FieldError{Field: Root, Reason: "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if fe := locate(json.RawMessage(raw), reflect.TypeOf(v).Elem(), ""); fe != nil {
		return fe
	}
	return &canon.FieldError{Field: Root, Reason: strings.TrimPrefix(err.Error(), "json: ")}
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// locate walks raw alongside t and returns the first value that does not
// decode into its Go type.
func locate(raw json.RawMessage, t reflect.Type, path string) *canon.FieldError {
	if isNull(raw) {
		return nil // json leaves the zero value; the transform decides if it is required
	}
	if t.Kind() == reflect.Pointer {
		return locate(raw, t.Elem(), path)
	}
	if !reflect.PointerTo(t).Implements(unmarshalerType) {
		switch t.Kind() {
		case reflect.Struct:
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil {
				return mismatch(raw, t, path)
			}
			return locateFields(obj, t, path)
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 {
				break // []byte is a base64 string: a leaf
			}
			var arr []json.RawMessage
			if json.Unmarshal(raw, &arr) != nil {
				return mismatch(raw, t, path)
			}
			for i, item := range arr {
				if fe := locate(item, t.Elem(), path+"["+strconv.Itoa(i)+"]"); fe != nil {
					return fe
				}
			}
			return nil
		}
	}
	if json.Unmarshal(raw, reflect.New(t).Interface()) != nil {
		return mismatch(raw, t, path)
	}
	return nil
}

func locateFields(obj map[string]json.RawMessage, t reflect.Type, path string) *canon.FieldError {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, skip := jsonName(f)
		if skip {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && name == "" {
			if fe := locateFields(obj, f.Type, path); fe != nil {
				return fe
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		raw, ok := lookupKey(obj, name)
		if !ok {
			continue
		}
		child := name
		if path != "" {
			child = path + "." + name
		}
		if fe := locate(raw, f.Type, child); fe != nil {
			return fe
		}
	}
	return nil
}

// lookupKey matches keys the way encoding/json does: exact, then ignoring case.
func lookupKey(obj map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if raw, ok := obj[name]; ok {
		return raw, true
	}
	for k, raw := range obj {
		if strings.EqualFold(k, name) {
			return raw, true
		}
	}
	return nil, false
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
	if t == reflect.TypeFor[json.Number]() {
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

// excerpt shows the offending value, cut short: it may hold personal data
// and it only needs to be recognisable.
func excerpt(raw json.RawMessage) string {
	const limit = 40
	s := strings.TrimSpace(string(raw))
	kind := "string "
	switch {
	case strings.HasPrefix(s, "{"):
		return "an object"
	case strings.HasPrefix(s, "["):
		return "an array"
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
