package yml

import (
	"bytes"
	"errors"
	"fmt"
)

// SyntaxError is a feed that is not well-formed XML, or not a YML
// catalog, at a line (1-based) and byte offset (0-based, in the feed as
// served, byte order mark included).
type SyntaxError struct {
	Line   int
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("yml: line %d, offset %d: %s", e.Line, e.Offset, e.Msg)
}

// location is where a buffer starts in the feed.
type location struct {
	offset int64
	line   int
	// afterCR says the byte before this location is '\r', so a '\n' here
	// ends no new line.
	afterCR bool
}

// at is the location of b[pos] when b starts at l. A line ends with LF,
// CR LF or a lone CR: real Rozetka price lists end their lines with CR
// alone (pojitonov/pricelist rozetka.xml), and an editor shows them as
// separate lines, so errors must count them too.
func (l location) at(b []byte, pos int) location {
	pos = min(pos, len(b))
	seen := b[:pos]
	lines := bytes.Count(seen, []byte{'\n'})
	if cr := bytes.Count(seen, []byte{'\r'}); cr > 0 {
		lines += cr - bytes.Count(seen, []byte("\r\n"))
	}
	if l.afterCR && pos > 0 && b[0] == '\n' {
		lines-- // the second half of a CR LF that began before b
	}
	after := l.afterCR
	if pos > 0 {
		after = b[pos-1] == '\r'
	}
	return location{offset: l.offset + int64(pos), line: l.line + lines, afterCR: after}
}

func (l location) fail(msg string) error {
	return &SyntaxError{Line: l.line, Offset: l.offset, Msg: msg}
}

// wrap turns a *posError inside b into a *SyntaxError; other errors pass.
func (l location) wrap(b []byte, err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return l.at(b, pe.pos).fail(pe.msg)
	}
	return err
}
