package yml

import (
	"bytes"
	"iter"
	"strconv"
	"unicode/utf8"
)

// This file is the small, strict XML element reader offers and the header
// are parsed with. It handles elements, attributes, character data,
// CDATA, comments, processing instructions and the five predefined
// entities plus character references. It never expands a declared
// entity: a reference to any other entity is an error.

// posError is a failure at an index of the buffer being parsed; the caller
// turns the index into a line and an absolute offset.
type posError struct {
	pos int
	msg string
}

func (e *posError) Error() string { return e.msg }

func failAt(pos int, msg string) error { return &posError{pos: pos, msg: msg} }

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func allSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// trimmed returns the bounds of b[from:to] without its leading and
// trailing spaces.
func trimmed(b []byte, from, to int) (int, int) {
	for from < to && isSpace(b[from]) {
		from++
	}
	for to > from && isSpace(b[to-1]) {
		to--
	}
	return from, to
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// badNameByte marks ASCII bytes that cannot appear in an element or
// attribute name.
var badNameByte = func() (t [256]bool) {
	for _, c := range []byte("!\"#$%&'()*+,/;<=>?@[\\]^`{|}~") {
		t[c] = true
	}
	for c := 0; c < ' '; c++ {
		t[c] = true
	}
	return t
}()

// plainName marks the bytes a name is mostly made of (letters, digits,
// '_', '-', '.', ':' and every non-ASCII byte): a scan that meets only
// these needs no other test per byte.
var plainName = func() (t [256]bool) {
	for c := range t {
		t[c] = !badNameByte[c] && !isSpace(byte(c))
	}
	return t
}()

// nameEnd returns the index of the first byte at or after j that is not
// plainName; the caller tells a name's proper end from a bad byte.
func nameEnd(b []byte, j int) int {
	for j < len(b) && plainName[b[j]] {
		j++
	}
	return j
}

func checkName(b []byte, name []byte, pos int) error {
	if len(name) == 0 {
		return failAt(pos, "missing element name")
	}
	if badNameStart(name[0]) {
		return failAt(pos, "bad element name <"+printable(name)+">")
	}
	for _, c := range name {
		if badNameByte[c] {
			return failAt(pos, "bad element name <"+printable(name)+">")
		}
	}
	return nil
}

// badNameStart marks the bytes a name may hold but not begin with.
func badNameStart(c byte) bool { return c == '-' || c == '.' || (c >= '0' && c <= '9') }

// checkNameStart is checkName for a name whose bytes are all plainName
// when clean: only its first byte is left to check.
func checkNameStart(b []byte, name []byte, pos int, clean bool) error {
	if !clean || len(name) == 0 || badNameStart(name[0]) {
		return checkName(b, name, pos)
	}
	return nil
}

// printable shortens a name or snippet for an error message.
func printable(b []byte) string {
	if len(b) > 40 {
		b = b[:40]
	}
	if !utf8.Valid(b) {
		return strconv.Quote(string(b))
	}
	return string(b)
}

// tag is a start tag: b[attrs0:attrs1] holds its attributes.
type tag struct {
	name           []byte
	pos            int // of its '<'
	attrs0, attrs1 int
	selfClosing    bool
}

// tagStop marks the bytes a start tag's attributes are read up to: the
// quotes around a value, the tag's end, and a '<' that cannot be in it.
var tagStop = [256]bool{'"': true, '\'': true, '>': true, '<': true}

// startTag reads the start tag at b[i] == '<' and returns the index after
// its '>'. A '>' inside a quoted attribute value does not end the tag.
func startTag(b []byte, i int) (tag, int, error) {
	plain := nameEnd(b, i+1)
	j := plain
	for j < len(b) && !isSpace(b[j]) && b[j] != '>' && b[j] != '/' {
		j++ // past a bad byte, to the end of the name it is in
	}
	clean := j == plain && j < len(b)
	t := tag{name: b[i+1 : j], pos: i, attrs0: j}
	if err := checkNameStart(b, t.name, i, clean); err != nil {
		return t, 0, err
	}
	k := j
	for k < len(b) {
		for k < len(b) && !tagStop[b[k]] {
			k++
		}
		if k >= len(b) {
			break
		}
		c := b[k]
		if c == '>' {
			break
		}
		if c == '<' {
			return t, 0, failAt(k, "'<' inside the tag <"+printable(t.name)+">")
		}
		q := bytes.IndexByte(b[k+1:], c) // a quoted value, which may hold '>'
		if q < 0 {
			k = len(b)
			break
		}
		k += q + 2
	}
	if k >= len(b) {
		return t, 0, failAt(i, "unclosed tag <"+printable(t.name)+">")
	}
	t.attrs1 = k
	if k > j && b[k-1] == '/' {
		t.selfClosing = true
		t.attrs1 = k - 1
	}
	return t, k + 1, nil
}

// attr is one attribute; b[val0:val1] is its raw (undecoded) value.
type attr struct {
	name       []byte
	pos        int // of its name
	val0, val1 int
}

// attrsOf yields the attributes of b[i:end] in order; a malformed one ends
// the walk, yielded with its error.
func attrsOf(b []byte, i, end int) iter.Seq2[attr, error] {
	return func(yield func(attr, error) bool) {
		for k := i; ; {
			a, next, ok, err := nextAttr(b, k, end)
			if err != nil {
				yield(a, err)
				return
			}
			if !ok || !yield(a, nil) {
				return
			}
			k = next
		}
	}
}

// nextAttr reads the attribute at or after b[i], stopping at end. ok is
// false when only whitespace is left.
func nextAttr(b []byte, i, end int) (a attr, next int, ok bool, err error) {
	start := i
	for i < end && isSpace(b[i]) {
		i++
	}
	if i == end {
		return a, i, false, nil
	}
	if i == start {
		return a, i, false, failAt(i, "missing space before an attribute")
	}
	n := i
	plain := min(nameEnd(b, i), end)
	i = plain
	for i < end && b[i] != '=' && !isSpace(b[i]) {
		i++ // past a bad byte, to the end of the name it is in
	}
	clean := i == plain && i < end
	a.name, a.pos = b[n:i], n
	if err := checkNameStart(b, a.name, n, clean); err != nil {
		return a, i, false, err
	}
	for i < end && isSpace(b[i]) {
		i++
	}
	if i == end || b[i] != '=' {
		return a, i, false, failAt(n, "attribute "+printable(a.name)+" has no value")
	}
	i++
	for i < end && isSpace(b[i]) {
		i++
	}
	if i == end || (b[i] != '"' && b[i] != '\'') {
		return a, i, false, failAt(n, "attribute "+printable(a.name)+" value is not quoted")
	}
	q := b[i]
	a.val0 = i + 1
	j := bytes.IndexByte(b[a.val0:end], q)
	if j < 0 {
		return a, i, false, failAt(n, "attribute "+printable(a.name)+" value is not closed")
	}
	a.val1 = a.val0 + j
	if k := bytes.IndexByte(b[a.val0:a.val1], '<'); k >= 0 {
		return a, i, false, failAt(a.val0+k, "'<' in the value of attribute "+printable(a.name))
	}
	return a, a.val1 + 1, true, nil
}

// endTag reads the end tag at b[i] == '<', b[i+1] == '/', and checks it
// closes want. It returns the index after its '>'.
func endTag(b []byte, i int, want []byte) (int, error) {
	n := i + 2
	if e := n + len(want); want != nil && e < len(b) && b[e] == '>' && string(b[n:e]) == string(want) {
		return e + 1, nil // </name>, as nearly every end tag is written
	}
	j := nameEnd(b, n)
	for j < len(b) && !isSpace(b[j]) && b[j] != '>' {
		j++
	}
	got := b[n:j]
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j >= len(b) {
		return 0, failAt(i, "unclosed end tag </"+printable(got)+">")
	}
	if b[j] != '>' {
		return 0, failAt(j, "bad end tag </"+printable(got)+">")
	}
	if want == nil {
		return 0, failAt(i, "end tag </"+printable(got)+"> without a start tag")
	}
	if !bytes.Equal(got, want) {
		return 0, failAt(i, "</"+printable(got)+"> closes <"+printable(want)+">")
	}
	return j + 1, nil
}

// skipMarkup skips a comment, CDATA section or processing instruction at
// b[i] == '<' and returns the index after it and its content (CDATA only).
// ok is false when b[i:] is none of these.
func skipMarkup(b []byte, i int) (next int, cdata []byte, isCDATA, ok bool, err error) {
	rest := b[i:]
	if len(rest) < 2 || (rest[1] != '!' && rest[1] != '?') {
		return i, nil, false, false, nil // a tag: what nearly every '<' starts
	}
	var open, closer string
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		open, closer = "<!--", "-->"
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		open, closer, isCDATA = "<![CDATA[", "]]>", true
	case bytes.HasPrefix(rest, []byte("<?")):
		open, closer = "<?", "?>"
	default:
		return i, nil, false, false, nil
	}
	j := bytes.Index(rest[len(open):], []byte(closer))
	if j < 0 {
		what := map[string]string{"<!--": "comment", "<![CDATA[": "CDATA section", "<?": "processing instruction"}[open]
		return 0, nil, false, true, failAt(i, "unterminated "+what)
	}
	body := rest[len(open) : len(open)+j]
	return i + len(open) + j + len(closer), body, isCDATA, true, nil
}

// doctype checks the declaration at b[i] == '<', b[i+1] == '!' and returns
// the index after it. Entity expansion is never performed, so any internal
// subset — the only place entities can be declared — is refused at once,
// before it is read: a "billion laughs" feed costs nothing.
func doctype(b []byte, i int) (int, error) {
	if !bytes.HasPrefix(b[i:], []byte("<!DOCTYPE")) {
		return 0, failAt(i, "unexpected markup declaration")
	}
	switch k := unquoted(b, i+9, '[', '>'); {
	case k < 0:
		return 0, failAt(i, unclosedDOCTYPE)
	case b[k] == '[':
		return 0, failAt(i, "DOCTYPE with an internal subset is refused (entities are never expanded)")
	default:
		return k + 1, nil
	}
}

// decoder turns the feed's bytes into UTF-8 text.
type decoder struct {
	cp1251 bool
}

// appendRaw appends bytes that carry no entity references (CDATA).
func (d decoder) appendRaw(dst, raw []byte) []byte {
	if !d.cp1251 {
		return append(dst, raw...)
	}
	for _, c := range raw {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
		} else {
			dst = append(dst, cp1251UTF8[c]...)
		}
	}
	return dst
}

// appendText appends character data, decoding entity and character
// references. pos is raw's index in the buffer, for errors.
func (d decoder) appendText(dst, raw []byte, pos int) ([]byte, error) {
	for {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			return d.appendRaw(dst, raw), nil
		}
		dst = d.appendRaw(dst, raw[:amp])
		semi := bytes.IndexByte(raw[amp:min(len(raw), amp+12)], ';')
		if semi < 0 {
			return dst, failAt(pos+amp, "'&' that starts no entity reference (write &amp;)")
		}
		ref := raw[amp+1 : amp+semi]
		switch string(ref) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ref)
			if !ok {
				return dst, failAt(pos+amp, "unknown entity &"+printable(ref)+"; (declared entities are never expanded)")
			}
			dst = utf8.AppendRune(dst, r)
		}
		raw = raw[amp+semi+1:]
		pos += amp + semi + 1
	}
}

// charRef reads "#123" or "#x1F" into a character XML allows.
func charRef(ref []byte) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	var v uint64
	var err error
	if ref[1] == 'x' {
		v, err = strconv.ParseUint(string(ref[2:]), 16, 32)
	} else {
		v, err = strconv.ParseUint(string(ref[1:]), 10, 32)
	}
	r := rune(v)
	if err != nil || !(r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)) {
		return 0, false
	}
	return r, true
}

// appendAttr appends the decoded value of a.
func (d decoder) appendAttr(dst, b []byte, a attr) ([]byte, error) {
	return d.appendText(dst, b[a.val0:a.val1], a.val0)
}

// element reads the content of the element whose start tag t ended at
// b[i], through its end tag. Character data and CDATA directly inside it
// are appended to dst (trimmed by the caller); nested elements are skipped
// but must be well formed, and nested reports whether there were any.
// end is where its end tag starts.
func (d decoder) element(dst, b []byte, i int, t tag, stackp *[][]byte) (out []byte, next, end int, nested bool, err error) {
	stack := append((*stackp)[:0], t.name)
	defer func() { *stackp = stack[:0] }()
	for {
		lt := bytes.IndexByte(b[i:], '<')
		if lt < 0 {
			return dst, 0, 0, nested, failAt(len(b), "unclosed <"+printable(stack[len(stack)-1])+">")
		}
		if len(stack) == 1 && lt > 0 {
			if dst, err = d.appendText(dst, b[i:i+lt], i); err != nil {
				return dst, 0, 0, nested, err
			}
		} else if lt > 0 {
			if err = checkText(b[i:i+lt], i); err != nil {
				return dst, 0, 0, nested, err
			}
		}
		i += lt
		if i+1 < len(b) && b[i+1] == '/' {
			close := i
			if i, err = endTag(b, i, stack[len(stack)-1]); err != nil {
				return dst, 0, 0, nested, err
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return dst, i, close, nested, nil
			}
			continue
		}
		n, cdata, isCDATA, ok, err := skipMarkup(b, i)
		if err != nil {
			return dst, 0, 0, nested, err
		}
		if ok {
			if isCDATA && len(stack) == 1 {
				dst = d.appendRaw(dst, cdata)
			}
			i = n
			continue
		}
		if i+1 < len(b) && b[i+1] == '!' {
			return dst, 0, 0, nested, failAt(i, "unexpected markup declaration")
		}
		ct, n, err := startTag(b, i)
		if err != nil {
			return dst, 0, 0, nested, err
		}
		if err := checkAttrs(b, ct); err != nil {
			return dst, 0, 0, nested, err
		}
		nested = true
		i = n
		if !ct.selfClosing {
			stack = append(stack, ct.name)
		}
	}
}

// checkAttrs validates attributes nobody reads, so a malformed one is
// still an error.
func checkAttrs(b []byte, t tag) error {
	for a, err := range attrsOf(b, t.attrs0, t.attrs1) {
		if err != nil {
			return err
		}
		if err := checkText(b[a.val0:a.val1], a.val0); err != nil {
			return err
		}
	}
	return nil
}

// checkText validates the references in character data nobody reads.
func checkText(raw []byte, pos int) error {
	if bytes.IndexByte(raw, '&') < 0 {
		return nil
	}
	_, err := decoder{}.appendText(nil, raw, pos)
	return err
}
