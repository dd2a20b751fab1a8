package yml

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// reader is the one goroutine that reads the feed. It does no XML
// parsing: it only finds where each <offer> starts and ends with a cheap
// byte scan (bytes.IndexByte for '<', skipping comments, CDATA and
// processing instructions so a boundary inside them is not taken), hands
// whole offers to the workers a buffer at a time, and passes the markup
// between offers to the skeleton parser. Each buffer is fresh — the
// incomplete tail is copied into the next one — so workers read a buffer
// while the next is being filled, and memory is bounded by the queue.
type reader struct {
	r    io.Reader
	opts Options
	// dec is the feed's encoding for what is read from here on: declared,
	// or windows-1251 sniffed at the first invalid UTF-8 byte (sniff).
	dec      decoder
	declared string
	// checked: buf[:checked] is valid in dec; nothing after it is scanned.
	// nonASCII: some text before checked was non-ASCII (and so UTF-8).
	// bad: the failure at checked once it is reached.
	checked  int
	nonASCII bool
	bad      error
	// notes go with the next item handed on.
	notes []note

	buf   []byte
	n     int      // bytes of buf filled
	loc   location // where buf[0] is in the feed
	total int64
	eof   bool

	pos      int  // next byte to scan
	segStart int  // start of markup not yet handed on
	inOffer  bool // an <offer> started at segStart and has not ended
	spans    []span
}

const unclosedDOCTYPE = "unclosed DOCTYPE"

// start reads the first bytes and the prolog, so the encoding is known
// before any worker starts.
func (rd *reader) start() error {
	rd.buf = make([]byte, max(rd.opts.ChunkBytes, 512)) // room for the XML declaration
	rd.loc = location{line: 1}
	if err := rd.fill(); err != nil {
		return err
	}
	skip, dec, declared, err := prolog(rd.buf[:rd.n])
	if err != nil {
		return rd.loc.wrap(rd.buf[:rd.n], err)
	}
	rd.dec, rd.declared, rd.pos, rd.segStart, rd.checked = dec, declared, skip, skip, skip
	return rd.verify()
}

// verify checks the bytes read since the last call are valid in the feed's
// encoding, before any of them is scanned. The common case costs one
// validUTF8 (or, for windows-1251, one IndexByte) over each chunk.
//
// A feed that declares UTF-8 (or nothing) but holds bytes that are not
// UTF-8 is read as windows-1251 when everything before the first such
// byte is ASCII and the text from it reads as Cyrillic in windows-1251:
// real Rozetka price lists are published like that, declaring UTF-8 over
// windows-1251 bytes (JEBS-O/desktop-converter-excel-xml rozetka.xml at
// 3ac09856). Otherwise the first invalid byte fails the feed, naming its
// line and the encoding the text most likely is.
func (rd *reader) verify() error {
	for rd.checked < rd.n && rd.bad == nil {
		b := rd.buf[rd.checked:rd.n]
		if rd.dec.cp1251 {
			i := bytes.IndexByte(b, cp1251Undefined)
			if i < 0 {
				rd.checked = rd.n
				return nil
			}
			rd.checked += i
			rd.bad = rd.loc.at(rd.buf, rd.checked).fail("invalid windows-1251 byte 0x98" + rd.sniffedNote())
			return nil
		}
		if !rd.nonASCII {
			q := firstNonASCII(b)
			if q < 0 {
				rd.checked = rd.n
				return nil
			}
			rd.checked += q
			b = b[q:]
		}
		whole := b
		if !rd.eof {
			whole = b[:len(b)-cutRune(b)] // the rest of that one comes with the next read
		}
		if validUTF8(whole) {
			if len(whole) > 0 {
				rd.nonASCII = true // whole starts with a non-ASCII character
			}
			rd.checked += len(whole)
			return nil
		}
		i := firstInvalidUTF8(b)
		if i < 0 { // cannot happen: whole, a prefix of b, is not valid
			i = len(whole)
		}
		if i > 0 {
			rd.nonASCII = true // b[0] was not ASCII and started valid UTF-8
		}
		rd.checked += i
		if !rd.eof && !utf8.FullRune(rd.buf[rd.checked:rd.n]) {
			return nil // a sequence cut by the end of the read: the next completes it
		}
		if !rd.eof && rd.n-rd.checked < sniffWindow {
			// Too little text to guess from: read on first.
			if err := rd.grow(sniffWindow); err != nil {
				return err
			}
			continue
		}
		at := rd.loc.at(rd.buf, rd.checked)
		guess := guessEncoding(rd.buf[rd.checked:min(rd.n, rd.checked+sniffWindow)])
		if !rd.nonASCII && guess == guessCP1251 {
			rd.dec = decoder{cp1251: true}
			declared := rd.declared
			rd.notes = append(rd.notes, note{key: "encoding", count: 1, pos: -1, loc: at, say: func(int, int) string {
				return encodingNote(declared, at)
			}})
			continue
		}
		rd.bad = at.fail(utf8Failure(rd.buf[rd.checked], rd.nonASCII, guess))
	}
	return nil
}

// sniffedNote explains, in an error, that windows-1251 was not declared.
func (rd *reader) sniffedNote() string {
	if !strings.Contains(strings.ToLower(rd.declared), "1251") {
		return " (the feed does not declare windows-1251: it was read so because its text is not UTF-8)"
	}
	return ""
}

// grow makes room for at least more bytes after n and reads them. Items
// already handed on keep the old buffer.
func (rd *reader) grow(more int) error {
	if len(rd.buf)-rd.n < more {
		next := make([]byte, rd.n+max(more, rd.opts.ChunkBytes))
		copy(next, rd.buf[:rd.n])
		rd.buf = next
	}
	return rd.fill()
}

// fill reads until buf is full or the feed ends.
func (rd *reader) fill() error {
	for rd.n < len(rd.buf) && !rd.eof {
		m, err := rd.r.Read(rd.buf[rd.n:])
		rd.n += m
		rd.total += int64(m)
		if rd.opts.MaxBytes > 0 && rd.total > rd.opts.MaxBytes {
			return fmt.Errorf("yml: feed exceeds %d bytes: %w", rd.opts.MaxBytes, ErrTooLarge)
		}
		if err == io.EOF {
			rd.eof = true
		} else if err != nil {
			return fmt.Errorf("yml: reading the feed at offset %d: %w", rd.total, err)
		}
	}
	return nil
}

func (rd *reader) run(ctx context.Context, ordered, jobs chan<- *item) {
	// A job goes to the workers before it is queued for delivery, so the
	// delivery side never waits on a job no worker will see.
	emit := func(it *item) bool {
		if it.done != nil {
			select {
			case jobs <- it:
			case <-ctx.Done():
				return false
			}
		}
		select {
		case ordered <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	flush := func() bool {
		if len(rd.spans) == 0 {
			return true
		}
		it := &item{loc: rd.loc, dec: rd.dec, buf: rd.buf[:rd.n], spans: rd.spans, done: make(chan struct{}), notes: rd.takeNotes()}
		rd.spans = nil
		return emit(it)
	}
	// segment hands buf[segStart:end] — markup between offers — to the
	// skeleton; whitespace between offers is dropped here.
	segment := func(end int) bool {
		b := rd.buf[rd.segStart:end]
		if allSpace(b) {
			return true
		}
		if !flush() {
			return false
		}
		return emit(&item{loc: rd.loc.at(rd.buf, rd.segStart), dec: rd.dec, segment: bytes.Clone(b), notes: rd.takeNotes()})
	}
	fail := func(err error) { emit(&item{final: true, err: err}) }
	for {
		ok, err := rd.scan(segment)
		if err != nil {
			fail(err)
			return
		}
		if !ok {
			return
		}
		if rd.bad != nil { // scanned up to an invalid byte
			if flush() {
				fail(rd.bad)
			}
			return
		}
		if rd.eof {
			end := rd.loc.at(rd.buf[:rd.n], rd.n)
			if rd.inOffer {
				fail(rd.loc.at(rd.buf, rd.segStart).fail("unclosed <offer> (the feed ends at offset " + itoa(end.offset) + ")"))
				return
			}
			if flush() && segment(rd.n) {
				emit(&item{final: true, loc: end, notes: rd.takeNotes()})
			}
			return
		}
		if !flush() {
			return
		}
		if err := rd.refill(); err != nil {
			fail(err)
			return
		}
	}
}

// refill moves the unfinished tail into a fresh buffer and reads more.
func (rd *reader) refill() error {
	keep := rd.segStart
	carry := rd.n - keep
	if carry > rd.opts.MaxElementBytes {
		what := "markup between offers"
		if rd.inOffer {
			what = "an <offer>"
		}
		return rd.loc.at(rd.buf, keep).fail(fmt.Sprintf("%s longer than %d bytes", what, rd.opts.MaxElementBytes))
	}
	next := make([]byte, max(carry+rd.opts.ChunkBytes, 2*carry))
	copy(next, rd.buf[keep:rd.n])
	rd.loc = rd.loc.at(rd.buf, keep)
	rd.buf, rd.n = next, carry
	rd.pos -= keep
	rd.checked -= keep
	rd.segStart = 0
	if err := rd.fill(); err != nil {
		return err
	}
	return rd.verify()
}

func (rd *reader) takeNotes() []note {
	n := rd.notes
	rd.notes = nil
	return n
}

// scan finds offer boundaries in buf[pos:n]. It returns true when it needs
// more bytes (or the feed ended), false when a hand-off was cancelled.
func (rd *reader) scan(segment func(end int) bool) (bool, error) {
	b := rd.buf[:rd.checked]
	eof := rd.eof && rd.checked == rd.n
	for {
		lt := bytes.IndexByte(b[rd.pos:], '<')
		if lt < 0 {
			rd.pos = len(b)
			return true, nil
		}
		p := rd.pos + lt
		rest := b[p:]
		if len(rest) < 10 && !eof {
			rd.pos = p
			return true, nil
		}
		incomplete := func(what string) (bool, error) {
			if eof {
				return false, rd.loc.at(b, p).fail("unterminated " + what + " at the end of the feed")
			}
			rd.pos = p
			return true, nil
		}
		switch {
		case len(rest) > 1 && rest[1] != '!' && rest[1] != '?' && !isOfferTag(rest[1:]) && (rest[1] != '/' || !isOfferTag(rest[2:])):
			// Neither markup nor an offer's start or end tag: what most
			// '<' inside an offer start.
			rd.pos = p + 1
		case bytes.HasPrefix(rest, []byte("<!--")):
			j := bytes.Index(rest[4:], []byte("-->"))
			if j < 0 {
				return incomplete("comment")
			}
			rd.pos = p + 4 + j + 3
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			j := bytes.Index(rest[9:], []byte("]]>"))
			if j < 0 {
				return incomplete("CDATA section")
			}
			rd.pos = p + 9 + j + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			j := bytes.Index(rest[2:], []byte("?>"))
			if j < 0 {
				return incomplete("processing instruction")
			}
			rd.pos = p + 2 + j + 2
		case bytes.HasPrefix(rest, []byte("<!DOCTYPE")) && !rd.inOffer:
			// Refused here, before any of it is buffered or parsed, when
			// it has an internal subset (see doctype).
			next, err := doctype(b, p)
			if pe, ok := err.(*posError); ok && pe.msg == unclosedDOCTYPE {
				return incomplete("DOCTYPE")
			}
			if err != nil {
				return false, rd.loc.wrap(b, err)
			}
			rd.pos = next
		case isOfferTag(rest[1:]):
			if rd.inOffer {
				return false, rd.loc.at(b, p).fail("<offer> inside <offer>")
			}
			end := tagEnd(rest)
			if end < 0 {
				if eof {
					return false, rd.loc.at(b, p).fail("unclosed tag <offer> at the end of the feed")
				}
				rd.pos = p
				return true, nil
			}
			if !segment(p) {
				return false, nil
			}
			rd.segStart = p
			rd.pos = p + end
			if rest[end-2] == '/' { // <offer …/>
				rd.spans = append(rd.spans, span{p, p + end})
				rd.segStart = p + end
			} else {
				rd.inOffer = true
			}
		case len(rest) > 1 && rest[1] == '/' && isOfferTag(rest[2:]):
			if !rd.inOffer {
				return false, rd.loc.at(b, p).fail("</offer> without <offer>")
			}
			j := bytes.IndexByte(rest, '>')
			if j < 0 {
				return incomplete("</offer>")
			}
			rd.spans = append(rd.spans, span{rd.segStart, p + j + 1})
			rd.inOffer = false
			rd.segStart = p + j + 1
			rd.pos = rd.segStart
		default:
			rd.pos = p + 1
		}
	}
}

// isOfferTag reports whether b starts with the name "offer" followed by
// the end of the name.
func isOfferTag(b []byte) bool {
	if len(b) < 6 || string(b[:5]) != "offer" {
		return len(b) == 5 && string(b) == "offer"
	}
	c := b[5]
	return isSpace(c) || c == '>' || c == '/'
}

// tagEnd returns the length of the start tag at b[0] == '<' through its
// '>', skipping quoted attribute values, or -1 when it does not end in b.
func tagEnd(b []byte) int {
	if k := unquoted(b, 1, '>', '>'); k >= 0 {
		return k + 1
	}
	return -1
}

// unquoted returns the index of the first stop1 or stop2 at or after k
// that is outside a quoted attribute value, or -1 when there is none.
func unquoted(b []byte, k int, stop1, stop2 byte) int {
	var quote byte
	for ; k < len(b); k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == stop1 || c == stop2:
			return k
		}
	}
	return -1
}
