package yml

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	dec  decoder

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
	skip, dec, err := prolog(rd.buf[:rd.n])
	if err != nil {
		return rd.loc.wrap(rd.buf[:rd.n], err)
	}
	rd.dec, rd.pos, rd.segStart = dec, skip, skip
	return nil
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
		it := &item{loc: rd.loc, buf: rd.buf[:rd.n], spans: rd.spans, done: make(chan struct{})}
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
		return emit(&item{loc: rd.loc.at(rd.buf, rd.segStart), segment: bytes.Clone(b)})
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
		if rd.eof {
			end := rd.loc.at(rd.buf[:rd.n], rd.n)
			if rd.inOffer {
				fail(rd.loc.at(rd.buf, rd.segStart).fail("unclosed <offer> (the feed ends at offset " + itoa(end.offset) + ")"))
				return
			}
			if flush() && segment(rd.n) {
				emit(&item{final: true, loc: end})
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
	rd.segStart = 0
	return rd.fill()
}

// scan finds offer boundaries in buf[pos:n]. It returns true when it needs
// more bytes (or the feed ended), false when a hand-off was cancelled.
func (rd *reader) scan(segment func(end int) bool) (bool, error) {
	b := rd.buf[:rd.n]
	for {
		lt := bytes.IndexByte(b[rd.pos:], '<')
		if lt < 0 {
			rd.pos = len(b)
			return true, nil
		}
		p := rd.pos + lt
		rest := b[p:]
		if len(rest) < 10 && !rd.eof {
			rd.pos = p
			return true, nil
		}
		incomplete := func(what string) (bool, error) {
			if rd.eof {
				return false, rd.loc.at(b, p).fail("unterminated " + what + " at the end of the feed")
			}
			rd.pos = p
			return true, nil
		}
		switch {
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
				if rd.eof {
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
	var quote byte
	for k := 1; k < len(b); k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return k + 1
		}
	}
	return -1
}
