package cml

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// MaxFileBytes bounds an orders file: a CML orders file holds hundreds of
// orders (a few MB at most); anything far larger is not one.
const MaxFileBytes = 64 << 20

// RootElement is the root of every CML file.
const RootElement = "КоммерческаяИнформация"

// ErrTooLarge is returned for input over the size limit.
var ErrTooLarge = errors.New("cml: file exceeds the size limit")

// ReadAll reads r up to limit bytes (MaxFileBytes when limit <= 0) and parses it.
func ReadAll(r io.Reader, limit int64) (*Info, error) {
	if limit <= 0 {
		limit = MaxFileBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cml: reading: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, ErrTooLarge
	}
	return Parse(data)
}

// Parse reads one CML document: UTF-8 (with or without BOM) or the
// windows-1251 its prolog declares. The decoder is strict, expands no
// entity beyond XML's five, and refuses a DOCTYPE that declares any (no
// entity expansion ever). Errors name the line and column.
func Parse(data []byte) (*Info, error) {
	if len(data) > MaxFileBytes {
		return nil, ErrTooLarge
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("cml: no %s element", RootElement)
			}
			return nil, positioned(d, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if err := checkDirective(t); err != nil {
				return nil, positioned(d, err)
			}
		case xml.StartElement:
			if t.Name.Local != RootElement {
				return nil, positioned(d, fmt.Errorf("root element is <%s>, not <%s>: not a CommerceML file", t.Name.Local, RootElement))
			}
			var info Info
			if err := d.DecodeElement(&info, &t); err != nil {
				return nil, positioned(d, err)
			}
			info.normalize()
			return &info, nil
		}
	}
}

// normalize folds CML 3.x containers into Documents and drops the
// whitespace between the child elements of an Единица, which the decoder
// collects as its text.
func (info *Info) normalize() {
	for _, c := range info.Containers {
		info.Documents = append(info.Documents, c.Documents...)
	}
	info.Containers = nil
	for i := range info.Documents {
		for j := range info.Documents[i].Items {
			it := &info.Documents[i].Items[j]
			if it.Measure != nil {
				it.Measure.Text = trim(it.Measure.Text)
			}
			if it.Unit != nil {
				it.Unit.Name = trim(it.Unit.Name)
			}
		}
	}
}

// checkDirective allows a plain <!DOCTYPE …> but no internal subset: that
// is where entities are declared.
func checkDirective(d xml.Directive) error {
	s := string(d)
	if strings.Contains(s, "[") || strings.Contains(strings.ToUpper(s), "ENTITY") {
		return errors.New("DOCTYPE with declarations (entities) is refused")
	}
	return nil
}

// charsetReader decodes the encodings CML files are written in.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8":
		return input, nil
	case "windows-1251", "cp1251", "cp-1251", "win-1251", "x-cp1251":
		return charmap.Windows1251.NewDecoder().Reader(input), nil
	case "koi8-r":
		return charmap.KOI8R.NewDecoder().Reader(input), nil
	case "koi8-u":
		return charmap.KOI8U.NewDecoder().Reader(input), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

// positioned adds the line and column the decoder stopped at, unless the
// error already names its line.
func positioned(d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("cml: %w", err)
	}
	line, col := d.InputPos()
	return fmt.Errorf("cml: line %d, column %d: %w", line, col, err)
}

// Records splits a saved payload for `kramar inspect`: a CML file gives
// one JSON document per Документ; a JSON document (a RawOrder.Body) is
// returned as is.
func Records(payload []byte) ([]json.RawMessage, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(payload, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return []json.RawMessage{payload}, nil
	}
	info, err := Parse(payload)
	if err != nil {
		return nil, err
	}
	raws, err := info.raw()
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, len(raws))
	for i, r := range raws {
		out[i] = r.Body
	}
	return out, nil
}
