package people

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitFullName splits a full name written in one field (Horoshop,
// CommerceML, Rozetka's full_name) into its parts. Extra spaces (including
// NBSP) and commas are ignored and apostrophes (' ʼ ’) stay inside the word
// they belong to; hyphenated surnames ("Коваленко-Шевчук") are one word.
//
// The order of the words is guessed from their shape:
//
//   - 1 word → first name only: a lone word in a name field is nearly
//     always what the buyer calls themselves ("Олена"), not a surname.
//   - initials ("Петренко І. І.", "І.І. Петренко") → the one full word is
//     the surname, the initials are first and middle name ("І.", "І.").
//   - 2 words → "Прізвище Ім'я" unless the first word is a known first name
//     and the second is not ("Олена Петренко"), or only the first has a
//     surname ending (-енко, -ук, -ський, -ов…) and only the second does not;
//     "Ім'я По-батькові" ("Іван Петрович") when the second is a patronymic.
//     Latin names read "First Last" ("John Smith") unless the first word has
//     a surname ending and the second does not.
//   - 3 words → "Прізвище Ім'я По-батькові"; "Ім'я По-батькові Прізвище"
//     when the patronymic is the second word; Latin "First Middle Last".
//   - 4+ → last, first, and the rest as the middle name, which keeps
//     Turkic patronymics whole ("Алієв Рашид Алі огли").
func SplitFullName(s string) (last, first, middle string) {
	words := nameWords(s)
	if len(words) == 0 {
		return "", "", ""
	}
	if last, first, middle, ok := splitInitials(words); ok {
		return last, first, middle
	}
	switch len(words) {
	case 1:
		return "", words[0], ""
	case 2:
		return splitTwo(words[0], words[1])
	case 3:
		a, b, c := words[0], words[1], words[2]
		switch {
		case isPatronymic(b) && !isPatronymic(c):
			return c, a, b
		case isLatin(a+b+c) && !hasSurnameEnding(a):
			return c, a, b
		}
		return a, b, c
	default:
		return words[0], words[1], strings.Join(words[2:], " ")
	}
}

// splitTwo orders a two-word name (see SplitFullName).
func splitTwo(a, b string) (last, first, middle string) {
	switch {
	case isKnownFirstName(a) && isPatronymic(b):
		return "", a, b
	case isKnownFirstName(a) && !isKnownFirstName(b):
		return b, a, ""
	case isKnownFirstName(b):
		return a, b, ""
	case hasSurnameEnding(b) && !hasSurnameEnding(a):
		return b, a, ""
	case isLatin(a+b) && !hasSurnameEnding(a):
		return b, a, ""
	}
	return a, b, ""
}

// splitInitials handles names with initials: exactly one full word (the
// surname) and one or two initials, in either order.
func splitInitials(words []string) (last, first, middle string, ok bool) {
	var full, initials []string
	for _, w := range words {
		if isInitial(w) {
			initials = append(initials, w)
		} else {
			full = append(full, w)
		}
	}
	if len(initials) == 0 || len(initials) > 2 || len(full) != 1 {
		return "", "", "", false
	}
	first = initials[0]
	if len(initials) == 2 {
		middle = initials[1]
	}
	return full[0], first, middle, true
}

// nameWords splits s into words: white space and commas separate them, and
// glued initials ("І.І.Петренко") are cut after each dot.
func nameWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
		for f != "" {
			i := strings.IndexByte(f, '.')
			if i < 0 || i == len(f)-1 {
				out = append(out, f)
				break
			}
			out = append(out, f[:i+1])
			f = f[i+1:]
		}
	}
	return out
}

// isInitial: one letter, with or without its dot ("І.", "J").
func isInitial(w string) bool {
	w = strings.TrimSuffix(w, ".")
	r, size := utf8.DecodeRuneInString(w)
	return size > 0 && size == len(w) && unicode.IsLetter(r)
}

// isLatin says every letter of s is Latin.
func isLatin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// patronymicEndings are Ukrainian and Russian patronymics (-ович, -івна,
// -ична…), and the Turkic огли/кизи written as one word with a hyphen.
var patronymicEndings = []string{
	"ович", "евич", "євич", "ьович", "йович",
	"івна", "ївна", "овна", "евна", "ічна", "ична", "інична",
	"ич", "-огли", "-оглу", "-кизи", "-кызы",
}

// surnameEndings are common Ukrainian and Russian surname endings, and a
// few Latin transliterations of them.
var surnameEndings = []string{
	"енко", "єнко", "ук", "юк", "чук", "щук",
	"ський", "цький", "зький", "ська", "цька", "зька",
	"ский", "цкий", "ская", "цкая",
	"ов", "ова", "ев", "ева", "єв", "єва", "ёв", "ёва",
	"ін", "іна", "їн", "їна", "ин", "ина", "ын", "ына",
	"ян", "швілі", "дзе",
	"enko", "chuk", "yuk", "iuk", "skyi", "sky", "ska", "ov", "ova", "ev", "eva",
}

func isPatronymic(w string) bool { return hasEnding(w, patronymicEndings, 5) }

// hasSurnameEnding checks the last part of a hyphenated surname; known
// first names (Ірина, Марина, Галина end like surnames) never count.
func hasSurnameEnding(w string) bool {
	if i := strings.LastIndexByte(w, '-'); i >= 0 {
		w = w[i+1:]
	}
	return !isKnownFirstName(w) && hasEnding(w, surnameEndings, 4)
}

// hasEnding reports whether w (at least minLen letters) ends with one of endings.
func hasEnding(w string, endings []string, minLen int) bool {
	w = foldName(w)
	if utf8.RuneCountInString(w) < minLen {
		return false
	}
	for _, e := range endings {
		if strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// isKnownFirstName: a double first name ("Анна-Марія") counts when both
// parts are known.
func isKnownFirstName(w string) bool {
	for _, part := range strings.Split(foldName(w), "-") {
		if _, ok := knownFirstNames[part]; !ok {
			return false
		}
	}
	return true
}
