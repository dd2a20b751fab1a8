// Package people handles buyer and recipient identity: splitting a full
// name typed into one field, normalising phone numbers, and telling the
// manager when the parcel goes to someone other than the buyer.
package people

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kramar/kramar/schema/canon"
)

// Person is a buyer or a recipient as the canonical model sees them.
type Person struct {
	LastName   string
	FirstName  string
	MiddleName string
	Phone      string
}

// NormalizePhone writes a phone number as '+' and digits. Ukrainian numbers
// become +380XXXXXXXXX whichever way they were typed: 0501234567,
// 380501234567, 80501234567, 00380501234567, "+38 (050) 123-45-67".
// Other numbers keep their digits behind a '+'. No digits gives "".
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	d = strings.TrimPrefix(d, "00") // international call prefix
	switch {
	case d == "":
		return ""
	case len(d) == 12 && strings.HasPrefix(d, "380"):
		return "+" + d
	case len(d) == 11 && strings.HasPrefix(d, "80"):
		return "+3" + d
	case len(d) == 10 && strings.HasPrefix(d, "0"):
		return "+38" + d
	}
	return "+" + d
}

// RecipientComment returns the line a manager needs when the parcel goes to
// someone other than the buyer:
//
//	Отримувач: Петренко Іван Іванович, +380501234567
//
// It returns "" when the recipient is empty or is the buyer: same phone
// digits and same names ignoring case, spacing and apostrophe style. A
// middle name missing on either side does not count as a difference
// (marketplaces often omit it for the recipient).
func RecipientComment(buyer, recipient Person) string {
	if samePerson(buyer, recipient) {
		return ""
	}
	name := canon.JoinNonEmpty(" ", clean(recipient.LastName), clean(recipient.FirstName), clean(recipient.MiddleName))
	phone := NormalizePhone(recipient.Phone)
	if name == "" && phone == "" {
		return ""
	}
	return "Отримувач: " + canon.JoinNonEmpty(", ", name, phone)
}

func samePerson(a, b Person) bool {
	if a.Phone != b.Phone && NormalizePhone(a.Phone) != NormalizePhone(b.Phone) {
		return false
	}
	if !sameName(a.LastName, b.LastName) || !sameName(a.FirstName, b.FirstName) {
		return false
	}
	if a.MiddleName == b.MiddleName {
		return true
	}
	am, bm := foldName(a.MiddleName), foldName(b.MiddleName)
	return am == "" || bm == "" || am == bm
}

// sameName compares two spellings of one name; identical strings, the
// common case, skip the folding.
func sameName(a, b string) bool { return a == b || foldName(a) == foldName(b) }

// foldName makes two spellings of one name compare equal.
func foldName(s string) string {
	s = strings.ToLower(clean(s))
	return strings.Map(func(r rune) rune {
		if isApostrophe(r) {
			return '\''
		}
		return r
	}, s)
}

// isApostrophe lists the characters Ukrainians type for the apostrophe
// in names like Мар'яна: ASCII, modifier letter, right and left quotes, backtick.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', 'ʼ', '’', '‘', '`':
		return true
	}
	return false
}

// clean collapses runs of whitespace and trims the ends.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// isClean says s has no leading, trailing or doubled ASCII space and no
// other white space, so clean would return it unchanged.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case c < ' ', c >= 0x80 && !isCleanMultibyte(s[i:]):
			return false
		}
	}
	return true
}

// isCleanMultibyte rejects the Unicode spaces (NBSP, narrow NBSP, …) that
// clean would turn into plain separators.
func isCleanMultibyte(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return !unicode.IsSpace(r)
}
