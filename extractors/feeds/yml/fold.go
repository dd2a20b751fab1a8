package yml

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Real feeds write element and attribute names with Cyrillic letters that
// look Latin: a Rozetka price list puts аvailable="true", its first letter
// a Cyrillic «а» (U+0430), on every offer (pojitonov/pricelist rozetka.xml
// at e6cd44c2). An XML reader sees an unknown attribute, and the offer's
// availability falls back to its default without a word. So a name the
// reader does not know, if it has letters ≥ 0x80, is folded — each
// Cyrillic look-alike replaced by its Latin twin — and read when the
// folded name is one the reader knows, with one warning per name per feed.
// Only names are folded, never values.

// homoglyphs are the Cyrillic letters (Russian, Ukrainian, Serbian,
// Macedonian, Komi) that are drawn like a Latin letter in common fonts.
var homoglyphs = map[rune]byte{
	'а': 'a', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'һ': 'h', 'і': 'i', 'ј': 'j', 'ӏ': 'l',
	'о': 'o', 'р': 'p', 'ԛ': 'q', 'ѕ': 's', 'ԝ': 'w', 'х': 'x', 'у': 'y',
	'А': 'A', 'В': 'B', 'С': 'C', 'Е': 'E', 'Н': 'H', 'І': 'I', 'Ј': 'J', 'К': 'K',
	'М': 'M', 'О': 'O', 'Р': 'P', 'Ѕ': 'S', 'Т': 'T', 'Х': 'X', 'Ү': 'Y',
}

// hasHigh reports whether name has a byte ≥ 0x80, the only names folding
// can change.
func hasHigh(name []byte) bool {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// fold returns name (raw bytes in the feed's encoding) with every Cyrillic
// look-alike replaced by its Latin letter, and the look-alikes it replaced
// ("а U+0430"). ok is false unless the result is all ASCII.
func (d decoder) fold(name []byte) (folded []byte, replaced string, ok bool) {
	text := d.appendRaw(nil, name)
	var seen []string
	for len(text) > 0 {
		r, n := utf8.DecodeRune(text)
		text = text[n:]
		if r < utf8.RuneSelf {
			folded = append(folded, byte(r))
			continue
		}
		c, ok := homoglyphs[r]
		if !ok {
			return nil, "", false
		}
		folded = append(folded, c)
		if s := fmt.Sprintf("%c U+%04X", r, r); !slices.Contains(seen, s) {
			seen = append(seen, s)
		}
	}
	return folded, strings.Join(seen, ", "), true
}

// foldNote is the warning for a name read after folding: what is
// "attribute" or "element", where the element it is on or in.
func foldNote(d decoder, what string, raw, folded []byte, where, replaced string) (key string, say func(count, line int) string) {
	shown := string(d.appendRaw(nil, raw))
	key = "fold " + what + " " + shown + " " + where
	return key, func(count, line int) string {
		return fmt.Sprintf("%s %q %s is written with Cyrillic letters that look Latin (%s); read as %q (%s, first at line %d)",
			what, shown, where, replaced, folded, times(count), line)
	}
}
