package people

import (
	"regexp"
	"strings"
)

// e164 is a whole international number: '+', a country code that does not
// start with 0, at most 15 digits in all (ITU-T E.164).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// ViberLink is the link that opens a Viber chat with phone, as Prom's order
// card offers it: viber://chat?number=%2B380501234567. The phone may be
// written any way NormalizePhone reads; one that is not a whole number (a
// Ukrainian one with too few digits, letters only, nothing) gives "".
func ViberLink(phone string) string {
	p := NormalizePhone(phone)
	if !e164.MatchString(p) || strings.HasPrefix(p, "+380") && len(p) != len("+380501234567") {
		return ""
	}
	return "viber://chat?number=%2B" + p[1:]
}
