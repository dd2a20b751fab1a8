package drift

import "unsafe"

// unsafeString views b as a string for a map lookup; the result must not
// outlive the payload (findings copy it into their path).
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
