package money

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1 234,50 грн", "1234.5"},
		{"1\u00a0234,50\u00a0грн", "1234.5"},   // NBSP
		{"1\u202f234\u202f567,5", "1234567.5"}, // narrow NBSP
		{"450 грн", "450"},
		{"450", "450"},
		{"450.5", "450.5"},
		{"1 234.50", "1234.5"},
		{"1,234.50", "1234.5"},
		{"1.234,50", "1234.5"},
		{"1,234", "1.234"}, // one comma is Prom's decimal separator
		{"1.234.567", "1234567"},
		{"1,234,567.25", "1234567.25"},
		{"-12,00", "-12"},
		{"-12,00 грн", "-12"},
		{"+7", "7"},
		{"0,01", "0.01"},
		{" 12 грн.", "12"},
		{"12 ГРН", "12"},
		{"UAH 12", "12"},
		{"uah12,5", "12.5"},
		{"₴12", "12"},
		{"₴-12", "-12"},
		{"12 ₴", "12"},
		{"0", "0"},
		{"000450", "450"},
		{"99999999999999999999,99", "99999999999999999999.99"},
		{"0,1", "0.1"}, // exact: a float would give 0.1000000000000000055…
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"abc", `unexpected character "a"`},
		{"12,3,4", `thousands separator "," must be followed by exactly 3 digits`},
		{"1 2 3,4,5", `mixes spaces and "," as thousands separators`},
		{"1 2 3", `thousands separator " " must be followed by exactly 3 digits`},
		{"1234 567", `more than 3 digits before thousands separator " "`},
		{"1\u00a02", `thousands separator " " must be followed by exactly 3 digits`},
		{"1,2.3,4", `decimal separator "," appears more than once`},
		{"12,", "fraction after \",\" must be digits only"},
		{",5", "misplaced separator"},
		{"1 234.567,5", "mixes spaces and \".\" as thousands separators"},
		{"грн", "no digits"},
		{"-", "no digits"},
		{"--5", `unexpected character "-"`},
		{"12 грн 5", `unexpected character "г"`},
		{"1e5", `unexpected character "e"`},
		{"12$", `unexpected character "$"`},
		{"1,,234", "misplaced separator"},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want error", c.in, got)
			continue
		}
		var me *Error
		if !errors.As(err, &me) || me.Reason != c.reason {
			t.Errorf("Parse(%q) error = %v, want reason %q", c.in, err, c.reason)
		}
	}
	if _, err := Parse(" "); !errors.Is(err, ErrEmpty) {
		t.Errorf("blank input: %v is not ErrEmpty", err)
	}
	if _, err := Parse("abc"); errors.Is(err, ErrEmpty) {
		t.Errorf("garbage must not look empty: %v", err)
	}
}

func TestParseOptional(t *testing.T) {
	if d, err := ParseOptional(" "); err != nil || !d.IsZero() {
		t.Errorf("ParseOptional(blank) = %s, %v", d, err)
	}
	if _, err := ParseOptional("x"); err == nil {
		t.Error("ParseOptional(garbage) must fail")
	}
}

func TestParseNumber(t *testing.T) {
	for in, want := range map[json.Number]string{"69.3": "69.3", "0": "0", "1e2": "100", "-0.5": "-0.5", "12345678901234567890.12": "12345678901234567890.12"} {
		got, err := ParseNumber(in)
		if err != nil || !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("ParseNumber(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []json.Number{"", "abc", "1,5", "1 000", "0x10", "NaN"} {
		if got, err := ParseNumber(in); err == nil {
			t.Errorf("ParseNumber(%q) = %s, want error", in, got)
		}
	}
	if _, err := ParseNumber(""); !errors.Is(err, ErrEmpty) {
		t.Errorf("ParseNumber(\"\") = %v, want ErrEmpty", err)
	}
	if d, err := ParseNumberOptional(""); err != nil || !d.IsZero() {
		t.Errorf("ParseNumberOptional(\"\") = %s, %v", d, err)
	}
}

// FuzzParse: Parse never panics, and whatever it accepts survives a trip
// through its canonical string form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1 234,50 грн", "450", "1,234.50", "-12,00", "₴12", "12,3,4", "", "1\u00a0000", "UAH 1.234.567", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(d.String())
		if err != nil || !back.Equal(d) {
			t.Fatalf("Parse(%q) = %s; re-parse gives %s, %v", s, d, back, err)
		}
	})
}

// FuzzFormatRoundTrip: a decimal written the way marketplaces write it
// parses back to exactly the same value.
func FuzzFormatRoundTrip(f *testing.F) {
	f.Add(int64(123450), uint8(2), uint8(0))
	f.Add(int64(-1), uint8(2), uint8(1))
	f.Add(int64(1234567891), uint8(0), uint8(2))
	f.Add(int64(5), uint8(5), uint8(3))
	f.Fuzz(func(t *testing.T, units int64, scale, style uint8) {
		d := decimal.New(units, -int32(scale%8))
		s := formatLike(d, style)
		got, err := Parse(s)
		if err != nil || !got.Equal(d) {
			t.Fatalf("%s written as %q parses to %s, %v", d, s, got, err)
		}
	})
}

// formatLike writes d in one of the styles seen in marketplace data.
func formatLike(d decimal.Decimal, style uint8) string {
	styles := []struct{ group, dec, suffix string }{
		{" ", ",", " грн"},    // Prom
		{"\u00a0", ",", ""},   // NBSP
		{",", ".", ""},        // English
		{".", ",", " UAH"},    // German-like
		{"", ".", ""},         // bare
		{"\u202f", ",", " ₴"}, // narrow NBSP
	}
	st := styles[int(style)%len(styles)]
	text := d.Abs().String()
	whole, frac, _ := strings.Cut(text, ".")
	var groups []string
	for len(whole) > 3 {
		groups = append([]string{whole[len(whole)-3:]}, groups...)
		whole = whole[:len(whole)-3]
	}
	groups = append([]string{whole}, groups...)
	out := strings.Join(groups, st.group)
	if st.group == "" || (frac == "" && strings.Count(out, st.group) == 1 && (st.group == "," || st.group == ".")) {
		// A lone "," or "." would read as a decimal separator; write
		// such numbers without grouping, as the marketplaces do.
		out = strings.Join(groups, "")
	}
	if frac != "" {
		out += st.dec + frac
	}
	if d.IsNegative() {
		out = "-" + out
	}
	return out + st.suffix
}

// isJSONNumber must agree with encoding/json on what a JSON number is.
func FuzzIsJSONNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "01", "1.", ".5", "1.5e3", "1E+2", "1e", "-", "12a", "1.2.3", "", "00.1", "-1.0e-7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n json.Number
		want := json.Unmarshal([]byte(s), &n) == nil && string(n) == s
		if got := isJSONNumber(s); got != want {
			t.Fatalf("isJSONNumber(%q) = %v, encoding/json says %v", s, got, want)
		}
	})
}
