package declarative

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Money formats of string amounts (a JSON number is read exactly in any).
const (
	MoneyNumber = "number" // JSON numbers: 1234.5
	MoneyDot    = "dot"    // "1234.50", "1,234.50": '.' is the decimal point
	MoneyComma  = "comma"  // "1234,50", "1 234,50", "1.234,50": ',' is the decimal point
	MoneyAuto   = "auto"   // whatever transforms/money reads ("1 234,50 грн")
)

// Formats are how an API writes money and times.
type Formats struct {
	Money    string     `yaml:"money"`
	Time     TimeFormat `yaml:"time"`
	Currency string     `yaml:"currency"` // when no order carries one (default UAH)
}

// TimeFormat is a list of layouts and the zone of times written without
// an offset. A layout is a Go layout ("02.01.2006 15:04") or one of unix,
// unix_ms, rfc3339, iso (ISO-8601 with or without an offset). No layout
// means iso.
type TimeFormat struct {
	Layout  string   `yaml:"layout"`
	Layouts []string `yaml:"layouts"`
	Zone    string   `yaml:"zone"` // UTC (default) or Europe/Kyiv

	loc *time.Location
}

var named = map[string]bool{"unix": true, "unix_ms": true, "rfc3339": true, "iso": true}

// Location is the zone of times without an offset.
func (t TimeFormat) Location() *time.Location {
	if t.loc == nil {
		return time.UTC
	}
	return t.loc
}

// Format writes an instant with the first layout (iso: RFC 3339) in the zone.
func (t TimeFormat) Format(at time.Time) string {
	layout := "iso"
	if len(t.Layouts) > 0 {
		layout = t.Layouts[0]
	}
	at = at.In(t.Location())
	switch layout {
	case "unix":
		return strconv.FormatInt(at.Unix(), 10)
	case "unix_ms":
		return strconv.FormatInt(at.UnixMilli(), 10)
	case "iso", "rfc3339":
		return at.Format(time.RFC3339)
	}
	return at.Format(layout)
}

// Numeric says Format writes a number (unix times), so a JSON body gets one.
func (t TimeFormat) Numeric() bool {
	return len(t.Layouts) > 0 && (t.Layouts[0] == "unix" || t.Layouts[0] == "unix_ms")
}

// Parse reads a time with any of the layouts; the result is UTC, whole seconds.
func (t TimeFormat) Parse(v any) (time.Time, error) {
	s, err := scalarText(v)
	if err != nil {
		return time.Time{}, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errEmpty
	}
	layouts := t.Layouts
	if len(layouts) == 0 {
		layouts = []string{"iso"}
	}
	for _, l := range layouts {
		if at, ok := parseOne(l, s, t.Location()); ok {
			return at, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q does not match %s", s, strings.Join(layouts, " or "))
}

func parseOne(layout, s string, loc *time.Location) (time.Time, bool) {
	switch layout {
	case "unix", "unix_ms":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		if layout == "unix_ms" {
			return time.UnixMilli(n).UTC().Truncate(time.Second), true
		}
		return time.Unix(n, 0).UTC(), true
	case "iso", "rfc3339":
		at, err := timeconv.Parse(s, loc)
		return at, err == nil
	}
	if hasZone(layout) {
		at, err := time.Parse(layout, s)
		return at.UTC().Truncate(time.Second), err == nil
	}
	at, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return time.Time{}, false
	}
	return timeconv.InLocation(at, loc), true
}

// hasZone says a Go layout carries its own offset or zone name.
func hasZone(layout string) bool {
	return strings.Contains(layout, "Z07") || strings.Contains(layout, "-07") || strings.Contains(layout, "MST")
}

var errEmpty = errors.New("missing")

// ParseMoney reads an amount: a JSON number exactly, a string by the format.
func (f Formats) ParseMoney(v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case nil:
		return decimal.Zero, errEmpty
	case json.Number:
		return money.ParseNumber(x)
	case string:
		s := x
		switch f.Money {
		case MoneyDot: // ',' can only group thousands
			s = strings.ReplaceAll(s, ",", " ")
		case MoneyComma: // '.' can only group thousands
			s = strings.ReplaceAll(s, ".", " ")
		}
		d, err := money.Parse(s)
		if errors.Is(err, money.ErrEmpty) {
			return d, errEmpty
		}
		return d, err
	}
	return decimal.Zero, fmt.Errorf("expected an amount, got %s", kindOf(v))
}

// FormatMoney writes an amount the way the format reads it back.
func (f Formats) FormatMoney(d decimal.Decimal) any {
	s := d.StringFixed(2)
	switch f.Money {
	case MoneyNumber:
		return json.Number(s)
	case MoneyDot:
		return s
	case MoneyComma:
		return strings.Replace(s, ".", ",", 1)
	}
	whole, frac, _ := strings.Cut(s, ".")
	sign := ""
	if strings.HasPrefix(whole, "-") {
		sign, whole = "-", whole[1:]
	}
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + " " + whole[i:]
	}
	return sign + whole + "," + frac + " грн"
}

// ParseBool reads a flag: a JSON boolean as it is, any other value by
// trueValues (default "true", "1", "yes"), compared ignoring case.
func ParseBool(v any, trueValues []string) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	s, err := scalarText(v)
	if err != nil {
		return false
	}
	if len(trueValues) == 0 {
		trueValues = []string{"true", "1", "yes"}
	}
	for _, t := range trueValues {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(t)) {
			return true
		}
	}
	return false
}

// scalarText is a string, number or boolean as text; nil is "".
func scalarText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("expected a text value, got %s", kindOf(v))
}

// seconds reads a positive whole number of seconds, written as a number
// or as text.
func seconds(v any) (time.Duration, bool) {
	s, _ := scalarText(v)
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	}
	return fmt.Sprintf("%T", v)
}

// expand fills {{name}} placeholders.
func expand(tmpl string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		return vars[placeholder.FindStringSubmatch(m)[1]]
	})
}

// Placeholder reports whether tmpl is one placeholder, alone, and which;
// such a value becomes a JSON number in a body when it is numeric.
func Placeholder(tmpl string) (string, bool) {
	m := placeholder.FindStringSubmatchIndex(tmpl)
	if m == nil || m[0] != 0 || m[1] != len(tmpl) {
		return "", false
	}
	return tmpl[m[2]:m[3]], true
}

// TemplateValue reads back what a template put into a value: the part
// of s standing where the placeholder is ("gte:{{from}}" and "gte:123"
// give "123"). ok is false when s does not have the template's shape.
func TemplateValue(tmpl, s string) (string, bool) {
	m := placeholder.FindStringIndex(tmpl)
	if m == nil {
		return "", false
	}
	prefix, suffix := tmpl[:m[0]], tmpl[m[1]:]
	if !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, suffix) || len(s) < len(prefix)+len(suffix) {
		return "", false
	}
	return s[len(prefix) : len(s)-len(suffix)], true
}

// PlaceholderOf names the placeholder in tmpl ("" when none).
func PlaceholderOf(tmpl string) string {
	if m := placeholder.FindStringSubmatch(tmpl); m != nil {
		return m[1]
	}
	return ""
}
