// Package jsonwire holds the JSON values marketplaces send in more than one
// form: text that comes as a string, a bare number or null; a number that
// comes as a string; a boolean written as true, 1 or "1". A marketplace's
// wire types use them for such fields, so each form is read in one place.
package jsonwire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Text is a string that may come as a bare number (an id, a waybill, a
// UTM tag) or null; null reads as "". It writes a JSON string.
type Text string

// UnmarshalJSON accepts strings, numbers and null.
func (t *Text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if s, isString, err := String(data); isString {
		if err == nil {
			*t = Text(s)
		}
		return err
	}
	if string(data) == "null" {
		*t = ""
		return nil
	}
	var n json.Number
	if json.Unmarshal(data, &n) != nil {
		return fmt.Errorf("not a string or number: %.20s", data)
	}
	*t = Text(n)
	return nil
}

// String decodes data when it is a JSON string; isString is false for
// any other value.
func String(data []byte) (s string, isString bool, err error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '"' {
		return "", false, nil
	}
	err = json.Unmarshal(data, &s)
	return s, true, err
}

// Number is a money or quantity value exactly as sent: a JSON number or a
// string (the transform parses it and names a bad one); null reads as "".
// It writes a valid number bare and anything else as a string.
type Number string

// UnmarshalJSON accepts numbers, strings and null.
func (n *Number) UnmarshalJSON(data []byte) error {
	return (*Text)(n).UnmarshalJSON(data)
}

// MarshalJSON writes a valid number bare and anything else as a string.
func (n Number) MarshalJSON() ([]byte, error) {
	s := strings.TrimSpace(string(n))
	if s != "" && json.Valid([]byte(s)) && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
		return []byte(s), nil
	}
	return json.Marshal(string(n))
}

// Bool is a boolean that may come as true/false, 0/1 or "0"/"1"; null and
// "" read as false. It writes a JSON bool.
type Bool bool

// UnmarshalJSON accepts every form Bool reads.
func (b *Bool) UnmarshalJSON(data []byte) error {
	v, err := readBool(data)
	if err == nil {
		*b = Bool(v)
	}
	return err
}

// Flag reads the forms Bool reads and writes 0 or 1, for APIs that send
// their booleans as numbers.
type Flag bool

// UnmarshalJSON accepts every form Bool reads.
func (f *Flag) UnmarshalJSON(data []byte) error {
	v, err := readBool(data)
	if err == nil {
		*f = Flag(v)
	}
	return err
}

// MarshalJSON writes 0 or 1.
func (f Flag) MarshalJSON() ([]byte, error) {
	if f {
		return []byte("1"), nil
	}
	return []byte("0"), nil
}

func readBool(data []byte) (bool, error) {
	switch string(bytes.Trim(bytes.TrimSpace(data), `"`)) {
	case "true", "1":
		return true, nil
	case "false", "0", "", "null":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %.20s", data)
}
