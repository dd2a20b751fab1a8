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
}

// at is the location of b[pos] when b starts at l.
func (l location) at(b []byte, pos int) location {
	pos = min(pos, len(b))
	return location{offset: l.offset + int64(pos), line: l.line + bytes.Count(b[:pos], []byte{'\n'})}
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
