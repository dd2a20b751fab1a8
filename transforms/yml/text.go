package yml

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PlainText is a description as text: HTML tags stripped (a tag that
// breaks a line — <p>, <br>, <li>… — becomes a space; an inline one —
// <b>, <span>, <a>… — nothing), the contents of <script> and <style>
// dropped, HTML entities decoded (&nbsp;, &laquo;, &#8212;) and every run
// of white space folded to one space. Text with neither tags, entities
// nor folding to do is returned as is, without a copy.
func PlainText(s string) string {
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") && folded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	text := s
	if strings.IndexByte(s, '<') >= 0 {
		text = stripTags(s, &b)
		b.Reset()
		b.Grow(len(text))
	}
	if strings.IndexByte(text, '&') >= 0 {
		text = html.UnescapeString(text)
	}
	return fold(text, &b)
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
		case c < ' ' || c >= utf8.RuneSelf:
			if c < ' ' || isSpaceAt(s, i) {
				return false
			}
			prevSpace = false
		default:
			prevSpace = false
		}
	}
	return !prevSpace
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// fold writes s with each run of white space (U+00A0 too, which &nbsp;
// gives) as one ' ', trimmed.
func fold(s string, b *strings.Builder) string {
	pending := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stripTags writes s without its markup. A '<' that does not open a tag
// ("a < b", "<3") is text.
func stripTags(s string, b *strings.Builder) string {
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+lt])
		i += lt
		name, end, ok := tagAt(s, i)
		if !ok {
			b.WriteByte('<')
			i++
			continue
		}
		i = end
		switch {
		case name == "script" || name == "style":
			// Their content is code, not text: skip to the closing tag.
			if j := indexFold(s[i:], "</"+name); j >= 0 {
				i += j
				if k := strings.IndexByte(s[i:], '>'); k >= 0 {
					i += k + 1
				} else {
					i = len(s)
				}
			} else {
				i = len(s)
			}
			b.WriteByte(' ')
		case !inline[name]:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// tagAt reads the tag, comment or declaration whose '<' is at s[i]: its
// lower-cased name ("" for a comment) and the index after its '>'.
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

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// inline are the tags that sit inside a run of text: removing them joins
// what they separate ("<b>12</b> міс." is "12 міс.").
var inline = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "big": true, "cite": true, "code": true,
	"del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true, "kbd": true, "mark": true,
	"nobr": true, "q": true, "s": true, "samp": true, "small": true, "span": true, "strike": true,
	"strong": true, "sub": true, "sup": true, "time": true, "tt": true, "u": true, "var": true, "wbr": true,
}
