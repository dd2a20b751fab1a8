package source

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kramar/kramar/transforms/decode"
)

// PeekField returns the raw value of a top-level key of a JSON object
// without decoding the rest: paging needs each record's id long before the
// transform decodes the record, and a full decode only for that would cost
// as much as the transform itself. Malformed input returns ok=false.
func PeekField(obj []byte, key string) (value []byte, ok bool) {
	i := decode.SkipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, false
	}
	i++
	for {
		i = decode.SkipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return nil, false
		}
		kEnd := decode.SkipString(obj, i)
		if kEnd < 0 {
			return nil, false
		}
		k := obj[i+1 : kEnd-1]
		i = decode.SkipSpace(obj, kEnd)
		if i >= len(obj) || obj[i] != ':' {
			return nil, false
		}
		i = decode.SkipSpace(obj, i+1)
		vEnd := decode.SkipValue(obj, i)
		if vEnd < 0 {
			return nil, false
		}
		if string(k) == key {
			return obj[i:vEnd], true
		}
		i = decode.SkipSpace(obj, vEnd)
		if i >= len(obj) {
			return nil, false
		}
		switch obj[i] {
		case ',':
			i++
		case '}':
			return nil, false
		default:
			return nil, false
		}
	}
}

// PeekID reads a record's top-level id under key — a number or a string —
// even from a record whose later fields do not decode; "" when it has none.
// Transforms name rejected records with it.
func PeekID(obj []byte, key string) string {
	v, ok := PeekField(obj, key)
	if !ok || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s)
	}
	return string(v)
}

// PeekNumber reads a record's top-level numeric id under key (a quoted
// number is tolerated) as its decimal text; "" unless it is a positive
// integer.
func PeekNumber(obj []byte, key string) string {
	v, ok := PeekField(obj, key)
	if !ok {
		return ""
	}
	id, err := strconv.ParseInt(strings.Trim(string(v), `"`), 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
