package yml

import (
	"bytes"
	"strings"
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
func prolog(head []byte) (skip int, dec decoder, err error) {
	if bytes.HasPrefix(head, utf8BOM) {
		skip = 3
	} else if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return 0, dec, failAt(0, "UTF-16 feeds are not supported (use UTF-8 or windows-1251)")
	}
	rest := head[skip:]
	if !bytes.HasPrefix(rest, []byte("<?xml")) || len(rest) < 6 || !isSpace(rest[5]) {
		return skip, dec, nil
	}
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 {
		return skip, dec, failAt(skip, "unclosed XML declaration")
	}
	decl := rest[5:end]
	var enc []byte
	for i := 0; ; {
		a, n, ok, err := nextAttr(decl, i, len(decl))
		if err != nil {
			pe := err.(*posError)
			pe.pos += skip + 5
			return skip, dec, pe
		}
		if !ok {
			break
		}
		if string(a.name) == "encoding" {
			enc = decl[a.val0:a.val1]
		}
		i = n
	}
	switch strings.ToLower(string(enc)) {
	case "", "utf-8", "utf8":
	case "windows-1251", "cp1251", "cp-1251", "win-1251", "windows1251", "x-cp1251":
		if skip > 0 {
			return skip, dec, failAt(skip, "a UTF-8 byte order mark on a feed declared "+string(enc))
		}
		dec.cp1251 = true
	default:
		return skip, dec, failAt(skip, "unsupported encoding "+printable(enc)+" (use UTF-8 or windows-1251)")
	}
	return skip, dec, nil
}

// invalid returns the index of the first byte of b that is not valid in
// the feed's encoding, or -1.
func (d decoder) invalid(b []byte) int {
	if d.cp1251 {
		return bytes.IndexByte(b, cp1251Undefined)
	}
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

func (d decoder) name() string {
	if d.cp1251 {
		return "windows-1251"
	}
	return "UTF-8"
}

// checkEncoding fails at the first byte of b invalid in the feed's encoding.
func (d decoder) checkEncoding(b []byte, pos int) error {
	if i := d.invalid(b); i >= 0 {
		return failAt(pos+i, "invalid "+d.name()+" byte")
	}
	return nil
}
