package drift

import (
	"encoding/json"
	"unsafe"
)

// unsafeString views b as a string for a map lookup; the result must not
// outlive the payload (findings copy it into their path).
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func jsonUnquote(quoted []byte, out *string) error { return json.Unmarshal(quoted, out) }
