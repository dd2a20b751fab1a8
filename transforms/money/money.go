// Package money parses the money strings marketplaces send ("1 234,50 грн")
// into exact decimals. It never goes through float64: a float cannot hold
// 0.1 exactly and the warehouse sums millions of these.
//
// Rules (Prom writes "1 234,50 грн"):
//   - A currency marker may stand before or after the number: "грн", "грн.",
//     "UAH", "₴" (any case). Nothing else may surround it.
//   - A leading '-' (or '+') is the sign; it may follow a leading marker ("₴-5").
//   - Spaces, NBSP (U+00A0), narrow NBSP (U+202F) and thin space (U+2009)
//     inside the number are thousands separators.
//   - When both ',' and '.' appear, the LAST one is the decimal separator and
//     the other one groups thousands ("1,234.50" and "1.234,50" are both 1234.50).
//   - When only one of them appears once, it is the decimal separator:
//     Prom uses a comma, so "1,234" is 1.234, not 1234.
//   - When only one of them appears several times, it groups thousands
//     ("1.234.567").
//   - Thousands groups must be well formed: 1–3 digits, then groups of
//     exactly 3. "1 2 3" and "12,3,4" are rejected rather than guessed.
package money

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/canon"
)

// ErrEmpty is wrapped by errors for blank input, so callers can treat an
// absent optional amount as zero (see ParseOptional).
var ErrEmpty = errors.New("empty")

// Error explains why a string is not a money amount.
type Error struct {
	Input  string
	Reason string
	err    error
}

func (e *Error) Error() string { return "bad money " + quote(e.Input) + ": " + e.Reason }

// Unwrap lets errors.Is(err, ErrEmpty) see blank input.
func (e *Error) Unwrap() error { return e.err }

// currencyMarkers are stripped from either end; longer first so "грн."
// wins over "грн".
var currencyMarkers = []string{"грн.", "грн", "uah", "₴"}

// Parse reads one money string. See the package comment for the rules.
func Parse(s string) (decimal.Decimal, error) {
	fail := func(reason string) (decimal.Decimal, error) {
		return decimal.Zero, &Error{Input: s, Reason: reason}
	}
	body := trimSpace(s)
	if body == "" {
		return decimal.Zero, &Error{Input: s, Reason: "empty", err: ErrEmpty}
	}
	body = stripMarker(body)
	sign := ""
	if body != "" && (body[0] == '-' || body[0] == '+') {
		if body[0] == '-' {
			sign = "-"
		}
		body = trimSpace(body[1:])
	}
	body = stripMarker(body)
	if body == "" {
		return fail("no digits")
	}
	intPart, frac, reason := splitNumber(body)
	if reason != "" {
		return fail(reason)
	}
	if len(intPart)+len(frac) <= 18 { // fits int64: skip the string round trip
		var v int64
		for _, part := range [2]string{intPart, frac} {
			for i := 0; i < len(part); i++ {
				v = v*10 + int64(part[i]-'0')
			}
		}
		if sign == "-" {
			v = -v
		}
		return decimal.New(v, -int32(len(frac))), nil
	}
	text := sign + intPart
	if frac != "" {
		text += "." + frac
	}
	d, err := decimal.NewFromString(text)
	if err != nil { // unreachable after splitNumber's checks, kept as a guard
		return fail(err.Error())
	}
	return d, nil
}

// ParseOptional is Parse with blank input meaning zero.
func ParseOptional(s string) (decimal.Decimal, error) {
	if trimSpace(s) == "" {
		return decimal.Zero, nil
	}
	return Parse(s)
}

// ParseNumber reads a JSON number (delivery_cost, prosale value, quantity)
// exactly, including exponent forms such as "1e2". It does not accept the
// marketplace string forms: a json.Number only ever holds a JSON number.
func ParseNumber(n json.Number) (decimal.Decimal, error) {
	s := strings.TrimSpace(string(n))
	if s == "" {
		return decimal.Zero, &Error{Input: string(n), Reason: "empty", err: ErrEmpty}
	}
	if !isJSONNumber(s) {
		return decimal.Zero, &Error{Input: string(n), Reason: "not a JSON number"}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, &Error{Input: string(n), Reason: err.Error()}
	}
	return d, nil
}

// ParseNumberOptional is ParseNumber with an absent number meaning zero.
func ParseNumberOptional(n json.Number) (decimal.Decimal, error) {
	if strings.TrimSpace(string(n)) == "" {
		return decimal.Zero, nil
	}
	return ParseNumber(n)
}

// splitNumber validates the digits-and-separators body and returns the bare
// integer digits and fraction digits, or a reason.
func splitNumber(body string) (intPart, frac, reason string) {
	const space = ' '
	var b strings.Builder
	for _, r := range body {
		switch {
		case r >= '0' && r <= '9', r == ',', r == '.':
			b.WriteRune(r)
		case isSpace(r):
			b.WriteRune(space)
		default:
			return "", "", "unexpected character " + quote(string(r))
		}
	}
	s := b.String()
	if !strings.ContainsAny(s, "0123456789") {
		return "", "", "no digits"
	}

	commas, dots := strings.Count(s, ","), strings.Count(s, ".")
	decimalSep, groupSep := byte(0), byte(0)
	switch {
	case commas > 0 && dots > 0:
		decimalSep, groupSep = ',', '.'
		if strings.LastIndexByte(s, '.') > strings.LastIndexByte(s, ',') {
			decimalSep, groupSep = '.', ','
		}
		if strings.Count(s, string(decimalSep)) > 1 {
			return "", "", "decimal separator " + quote(string(decimalSep)) + " appears more than once"
		}
	case commas == 1:
		decimalSep = ','
	case dots == 1:
		decimalSep = '.'
	case commas > 1:
		groupSep = ','
	case dots > 1:
		groupSep = '.'
	}

	whole := s
	if decimalSep != 0 {
		i := strings.IndexByte(s, decimalSep)
		whole, frac = s[:i], s[i+1:]
		if frac == "" || !allDigits(frac) {
			return "", "", "fraction after " + quote(string(decimalSep)) + " must be digits only"
		}
	}
	if strings.IndexByte(whole, space) >= 0 && groupSep != 0 && strings.IndexByte(whole, groupSep) >= 0 {
		return "", "", "mixes spaces and " + quote(string(groupSep)) + " as thousands separators"
	}
	if groupSep == 0 {
		groupSep = space
	}
	groups := strings.Split(whole, string(groupSep))
	for i, g := range groups {
		switch {
		case g == "":
			return "", "", "misplaced separator"
		case !allDigits(g):
			return "", "", "misplaced separator"
		case i == 0 && len(groups) > 1 && len(g) > 3:
			return "", "", "more than 3 digits before thousands separator " + quote(string(groupSep))
		case i > 0 && len(g) != 3:
			return "", "", "thousands separator " + quote(string(groupSep)) + " must be followed by exactly 3 digits"
		}
	}
	return strings.Join(groups, ""), frac, ""
}

// stripMarker compares bytes: every marker's upper and lower case have the
// same UTF-8 length, so a byte-length prefix or suffix is the right slice.
func stripMarker(s string) string {
	if s == "" || isDigit(s[0]) && isDigit(s[len(s)-1]) {
		return s // no marker can start or end with a digit
	}
	for _, m := range currencyMarkers {
		n := len(m)
		if len(s) < n {
			continue
		}
		if strings.EqualFold(s[:n], m) {
			return trimSpace(s[n:])
		}
		if strings.EqualFold(s[len(s)-n:], m) {
			return trimSpace(s[:len(s)-n])
		}
	}
	return s
}

// isSpace covers the separators seen in Ukrainian number formatting:
// ASCII space, NBSP, narrow NBSP and thin space (all are unicode.IsSpace).
func isSpace(r rune) bool { return unicode.IsSpace(r) }

func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isJSONNumber accepts exactly the JSON number grammar (RFC 8259, section 6):
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch n := digits(); {
	case n == 0:
		return false
	case n > 1 && s[i-n] == '0':
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func quote(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return `"` + s + `"`
}

// ParseField is Parse for a record's field (ParseOptional when the field
// is not required): a blank required value or an unreadable one is a
// *canon.FieldError naming field, as every transform reports it.
func ParseField(field, s string, required bool) (decimal.Decimal, error) {
	parse := ParseOptional
	if required {
		parse = Parse
	}
	d, err := parse(s)
	if errors.Is(err, ErrEmpty) {
		return d, canon.FieldErr(field, "missing")
	}
	if err != nil {
		return d, canon.FieldErr(field, err.Error())
	}
	return d, nil
}

// ParseNumberField is ParseNumberOptional for a record's field: an
// unreadable number is a *canon.FieldError naming field.
func ParseNumberField(field string, n json.Number) (decimal.Decimal, error) {
	d, err := ParseNumberOptional(n)
	if err != nil {
		return d, canon.FieldErr(field, err.Error())
	}
	return d, nil
}
