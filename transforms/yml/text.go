package yml

import (
	"html"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PlainText is a description as text: HTML tags stripped (a tag that
// breaks a line — <p>, <br>, <li>… — becomes a space; an inline one —
// <b>, <span>, <a>… — nothing), the contents of <script> and <style>
// dropped, HTML entities decoded (&nbsp;, &laquo;, &#8212;) and every run
// of white space folded to one space. It is one pass over the text with
// one allocation (a million-offer feed calls it a million times); text
// with nothing to strip, decode or fold is returned as is.
func PlainText(s string) string {
	if s == "" || !strings.ContainsAny(s, "<&") && folded(s) {
		return s
	}
	t := textWriter{}
	t.b.Grow(len(s))
	for i := 0; i < len(s); {
		if j := plainRun(s, i); j > i {
			t.text(s[i:j])
			i = j
			continue
		}
		c := s[i]
		switch {
		case c == '<':
			name, end, ok := tagAt(s, i)
			if !ok {
				t.byte('<')
				i++
				continue
			}
			i = end
			if name == "script" || name == "style" {
				i = skipElement(s, i, name)
			}
			if !inline[name] {
				t.space = true
			}
		case c == '&':
			n, ok := t.entity(s[i:])
			if !ok {
				t.byte('&')
				n = 1
			}
			i += n
		case c < utf8.RuneSelf:
			if asciiSpace(c) {
				t.space = true
			} else {
				t.byte(c)
			}
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				t.space = true
			} else {
				t.text(s[i : i+n])
			}
			i += n
		}
	}
	return t.b.String()
}

// special marks the bytes PlainText must look at: white space and other
// control bytes, '<', '&', and the lead bytes of the non-ASCII white
// space runes (U+0085, U+00A0: 0xC2; U+1680: 0xE1; U+2000–U+205F: 0xE2;
// U+3000: 0xE3). Everything else — Cyrillic letters included — is copied
// in runs.
var special = func() (t [256]bool) {
	for c := range 0x21 {
		t[c] = true
	}
	for _, c := range []byte{'<', '&', 0xC2, 0xE1, 0xE2, 0xE3} {
		t[c] = true
	}
	return t
}()

// plainRun is the end of the run of bytes from i that need no look.
func plainRun(s string, i int) int {
	for i < len(s) && !special[s[i]] {
		i++
	}
	return i
}

// textWriter writes text with each run of white space as one ' ', none
// at the start or the end.
type textWriter struct {
	b     strings.Builder
	space bool // white space seen since the last text
}

func (t *textWriter) sep() {
	if t.space && t.b.Len() > 0 {
		t.b.WriteByte(' ')
	}
	t.space = false
}

func (t *textWriter) byte(c byte) { t.sep(); t.b.WriteByte(c) }

func (t *textWriter) text(s string) { t.sep(); t.b.WriteString(s) }

// decoded writes text an entity stands for; &nbsp; is white space.
func (t *textWriter) decoded(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			t.space = true
			continue
		}
		t.sep()
		t.b.WriteRune(r)
	}
}

// entity writes the entity s starts with ("&amp;", "&#8212;", "&#x2014;")
// and says how long it is; ok is false when s does not start with one.
func (t *textWriter) entity(s string) (n int, ok bool) {
	end := 1
	for end < len(s) && end < 33 && (isASCIILetter(s[end]) || s[end] >= '0' && s[end] <= '9' || end == 1 && s[end] == '#') {
		end++
	}
	if end == 1 || end >= len(s) || s[end] != ';' {
		return 0, false
	}
	name := s[1:end]
	if v, ok := common[name]; ok {
		t.decoded(v)
		return end + 1, true
	}
	if name[0] == '#' {
		digits, base := name[1:], 10
		if len(digits) > 0 && digits[0]|0x20 == 'x' {
			digits, base = digits[1:], 16
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil || v == 0 || !utf8.ValidRune(rune(v)) {
			return 0, false
		}
		t.decoded(string(rune(v)))
		return end + 1, true
	}
	v := html.UnescapeString(s[:end+1])
	if v == s[:end+1] {
		return 0, false // not an entity HTML knows: kept as written
	}
	t.decoded(v)
	return end + 1, true
}

// common are the entities descriptions use most, read without a lookup
// in the whole HTML table.
var common = map[string]string{
	"amp": "&", "lt": "<", "gt": ">", "quot": `"`, "apos": "'", "nbsp": "\u00a0",
	"laquo": "«", "raquo": "»", "mdash": "—", "ndash": "–", "hellip": "…", "deg": "°", "times": "×",
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}

// folded reports whether s has no white space to fold: no leading or
// trailing space, no run of two, none but ' '.
func folded(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case asciiSpace(c):
			return false
		case c >= utf8.RuneSelf:
			r, _ := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return false
			}
			prevSpace = false
		default:
			prevSpace = false
		}
	}
	return !prevSpace
}

// skipElement is the index after the end tag of the element name whose
// start tag ends at i: the text of <script> and <style> is code.
func skipElement(s string, i int, name string) int {
	for j := i; j < len(s); j++ {
		if s[j] == '<' && j+2+len(name) <= len(s) && s[j+1] == '/' && strings.EqualFold(s[j+2:j+2+len(name)], name) {
			if k := strings.IndexByte(s[j:], '>'); k >= 0 {
				return j + k + 1
			}
			break
		}
	}
	return len(s)
}

// tagAt reads the tag, comment or declaration whose '<' is at s[i]: its
// lower-cased name ("" for a comment) and the index after its '>'. A '<'
// that opens none ("a < b", "<3") is text: ok is false.
func tagAt(s string, i int) (name string, end int, ok bool) {
	j := i + 1
	if strings.HasPrefix(s[j:], "!--") {
		if k := strings.Index(s[j+3:], "-->"); k >= 0 {
			return "", j + 3 + k + 3, true
		}
		return "", len(s), true
	}
	if j < len(s) && (s[j] == '/' || s[j] == '!' || s[j] == '?') {
		j++
	}
	n := j
	for n < len(s) && (isASCIILetter(s[n]) || (n > j && s[n] >= '0' && s[n] <= '9')) {
		n++
	}
	if n == j {
		return "", 0, false
	}
	k := strings.IndexByte(s[n:], '>')
	if k < 0 {
		return "", 0, false
	}
	return strings.ToLower(s[j:n]), n + k + 1, true
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// inline are the tags that sit inside a run of text: removing them joins
// what they separate ("<b>12</b> міс." is "12 міс.").
var inline = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "big": true, "cite": true, "code": true,
	"del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true, "kbd": true, "mark": true,
	"nobr": true, "q": true, "s": true, "samp": true, "small": true, "span": true, "strike": true,
	"strong": true, "sub": true, "sup": true, "time": true, "tt": true, "u": true, "var": true, "wbr": true,
}
