package yml

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// cp1251UTF8 is windows-1251 byte → UTF-8 bytes, from x/text's table.
// Offers are parsed on the raw bytes (the markup is ASCII in both
// encodings) and only the values read are transcoded, so offsets in
// errors are offsets in the feed as served.
var cp1251UTF8 = func() (t [256][]byte) {
	for c := 0; c < 256; c++ {
		t[c] = utf8.AppendRune(nil, charmap.Windows1251.DecodeByte(byte(c)))
	}
	return t
}()

// cp1251Undefined is the one byte windows-1251 leaves unassigned.
const cp1251Undefined = 0x98

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// prolog reads the byte order mark and the XML declaration at the start of
// a feed. skip is the length of the BOM. No declaration means UTF-8.
// declared is the encoding as the declaration spells it ("" when there is
// no declaration or it names none).
func prolog(head []byte) (skip int, dec decoder, declared string, err error) {
	if bytes.HasPrefix(head, utf8BOM) {
		skip = 3
	} else if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return 0, dec, "", failAt(0, "UTF-16 feeds are not supported (use UTF-8 or windows-1251)")
	}
	rest := head[skip:]
	if !bytes.HasPrefix(rest, []byte("<?xml")) || len(rest) < 6 || !isSpace(rest[5]) {
		return skip, dec, "", nil
	}
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 {
		return skip, dec, "", failAt(skip, "unclosed XML declaration")
	}
	decl := rest[5:end]
	var enc []byte
	for a, err := range attrsOf(decl, 0, len(decl)) {
		if err != nil {
			pe := err.(*posError)
			pe.pos += skip + 5
			return skip, dec, "", pe
		}
		if string(a.name) == "encoding" {
			enc = decl[a.val0:a.val1]
		}
	}
	switch strings.ToLower(string(enc)) {
	case "", "utf-8", "utf8":
	case "windows-1251", "cp1251", "cp-1251", "win-1251", "windows1251", "x-cp1251":
		if skip > 0 {
			return skip, dec, "", failAt(skip, "a UTF-8 byte order mark on a feed declared "+string(enc))
		}
		dec.cp1251 = true
	default:
		return skip, dec, "", failAt(skip, "unsupported encoding "+printable(enc)+" (use UTF-8 or windows-1251)")
	}
	return skip, dec, string(enc), nil
}

func (d decoder) name() string {
	if d.cp1251 {
		return "windows-1251"
	}
	return "UTF-8"
}

// firstNonASCII returns the index of the first byte of b >= 0x80, or -1.
// It reads eight bytes at a time: it runs over every byte of an ASCII-only
// feed until the first non-ASCII byte is found.
func firstNonASCII(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

// firstInvalidUTF8 returns the index of the first byte of b that does not
// start a valid UTF-8 sequence (a sequence cut by the end of b counts as
// invalid), or -1.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// cutRune returns how many bytes at the end of b start a UTF-8 sequence
// that b cuts short (0 to 3).
func cutRune(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if c >= 0xC0 { // a lead byte: is its sequence whole?
			need := 2
			if c >= 0xF0 {
				need = 4
			} else if c >= 0xE0 {
				need = 3
			}
			if need > k {
				return k
			}
			return 0
		}
	}
	return 0
}

// sniffWindow is how many bytes from the first invalid UTF-8 byte the
// guess reads; the reader waits for that many (or the end of the feed) so
// the guess never depends on how the feed was cut into reads.
const sniffWindow = 4096

// Guesses of guessEncoding.
const (
	guessCP1251  = "windows-1251"
	guessKOI8    = "KOI8-U or KOI8-R"
	guessLatin   = "ISO-8859-1 or windows-1252 (Latin letters with accents)"
	guessUTF16   = "UTF-16 or binary data"
	guessUnknown = "an encoding other than UTF-8 or windows-1251"
	guessBroken  = "UTF-8 with a damaged character"
)

// guessEncoding says what text b, which is not valid UTF-8, most likely
// is. It reads every byte >= 0x80 as windows-1251 and looks at the
// letters that gives:
//   - windows-1251 Cyrillic gives words of Cyrillic letters, apart from
//     Latin ones, in ordinary case (lower case, or a capital first, or all
//     capitals);
//   - KOI8 text read this way swaps the cases: "Привет" reads "рТЙЧЕФ",
//     so many words switch from lower to upper case inside;
//   - Latin-1 accents ("Café", "Müller") give single "Cyrillic" letters
//     stuck to Latin ones.
//
// A KOI8 text without a single capital letter would pass for windows-1251
// in capitals; product feeds always have capitals (names, brands).
func guessEncoding(b []byte) string {
	if bytes.IndexByte(b, 0) >= 0 {
		return guessUTF16
	}
	var letters, lower, stuck, words, caseFlips, utf8Chars int
	var undefined bool
	run, prevLower := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 0xC2 {
			// Valid UTF-8 is no evidence of windows-1251 (where such
			// pairs are rare: a capital letter and a sign).
			if r, n := utf8.DecodeRune(b[i:]); r != utf8.RuneError && n > 1 {
				utf8Chars++
				i += n - 1
				if run > 1 {
					words++
				}
				run = 0
				continue
			}
		}
		if c < utf8.RuneSelf {
			if run > 1 {
				words++
			}
			run = 0
			continue
		}
		if c == cp1251Undefined {
			undefined = true
		}
		r, _ := utf8.DecodeRune(cp1251UTF8[c])
		if !unicode.Is(unicode.Cyrillic, r) || !unicode.IsLetter(r) {
			if run > 1 {
				words++
			}
			run = 0
			continue
		}
		letters++
		isLower := unicode.IsLower(r)
		if isLower {
			lower++
		} else if run > 0 && prevLower {
			caseFlips++
		}
		if (i > 0 && isASCIILetter(b[i-1])) || (i+1 < len(b) && isASCIILetter(b[i+1])) {
			stuck++
		}
		run++
		prevLower = isLower
	}
	if run > 1 {
		words++
	}
	switch {
	case utf8Chars > letters:
		return guessBroken
	case undefined && letters < 3:
		return guessLatin
	case letters < 3:
		return guessUnknown
	case stuck*4 > letters:
		return guessLatin
	case caseFlips*10 > max(words, 1):
		return guessKOI8
	}
	return guessCP1251
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// encodingNote is the warning for a feed read in an encoding other than
// the one it declares.
func encodingNote(declared string, at location) string {
	what := "declared encoding " + declared
	if declared == "" {
		what = "no declared encoding (so UTF-8)"
	}
	return fmt.Sprintf("%s, but the text is windows-1251: from line %d (offset %d), its first non-ASCII text, it is not UTF-8 and reads as Cyrillic in windows-1251; read as windows-1251",
		what, at.line, at.offset)
}

// utf8Failure explains an invalid UTF-8 byte that was not taken for the
// start of windows-1251 text.
func utf8Failure(c byte, mixed bool, guess string) string {
	msg := fmt.Sprintf("invalid UTF-8 byte 0x%02X", c)
	if guess == guessBroken {
		return msg + ": a damaged or cut character in UTF-8 text (the text around it is UTF-8)"
	}
	if mixed {
		if guess == guessCP1251 {
			return msg + ": the text before it is UTF-8 and this text looks like windows-1251, so the feed mixes two encodings; re-export it in one"
		}
		return msg + ": the text before it is UTF-8 and this is likely " + guess + "; re-export the feed in UTF-8"
	}
	return msg + ": the feed is not UTF-8 and not windows-1251 Cyrillic (its text is likely " + guess + "); re-export it in UTF-8 or windows-1251 and declare the encoding"
}
