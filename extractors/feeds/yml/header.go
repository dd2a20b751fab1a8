package yml

import (
	"bytes"
)

// skeleton parses everything of the feed that is not an offer — the
// prolog, <yml_catalog>, <shop> and its header, <offers> itself and what
// follows the offers — fed in document order, segment by segment, each
// ending at a markup boundary. It keeps the open-element stack across
// segments, so the whole feed is checked for well-formedness, and it
// fills the Shop.
type skeleton struct {
	dec   decoder
	shop  *Shop
	stack []openElement
	root  bool // the root element has started
	done  bool // the root element has ended

	captureDst   *string // the header field being read, if any
	captureDepth int
	text         []byte
}

type openElement struct {
	name string
	at   location
}

func newSkeleton(dec decoder) *skeleton {
	return &skeleton{dec: dec, shop: &Shop{}}
}

// inOffers reports whether the next offer would sit in
// yml_catalog/shop/offers, or yml_catalog/offers as Epicentr writes it
// (feeds §2.6).
func (s *skeleton) inOffers() bool {
	switch p := s.path(); p {
	case "yml_catalog/shop/offers", "yml_catalog/offers":
		return true
	}
	return false
}

// feed parses one segment b that starts at loc.
func (s *skeleton) feed(b []byte, loc location) error {
	if err := s.dec.checkEncoding(b, 0); err != nil {
		return loc.wrap(b, err)
	}
	return loc.wrap(b, s.segment(b, loc))
}

func (s *skeleton) segment(b []byte, loc location) error {
	for i := 0; i < len(b); {
		lt := bytes.IndexByte(b[i:], '<')
		end := len(b)
		if lt >= 0 {
			end = i + lt
		}
		if err := s.chars(b[i:end], i); err != nil {
			return err
		}
		if lt < 0 {
			return nil
		}
		i = end
		if i+1 < len(b) && b[i+1] == '/' {
			var err error
			if i, err = s.end(b, i); err != nil {
				return err
			}
			continue
		}
		n, cdata, isCDATA, ok, err := skipMarkup(b, i)
		if err != nil {
			return err
		}
		if ok {
			if isCDATA {
				if len(s.stack) == 0 {
					return failAt(i, "CDATA outside the root element")
				}
				if s.captureDst != nil && len(s.stack) == s.captureDepth {
					s.text = s.dec.appendRaw(s.text, cdata)
				}
			}
			i = n
			continue
		}
		if i+1 < len(b) && b[i+1] == '!' {
			if s.root {
				return failAt(i, "DOCTYPE after the root element started")
			}
			if i, err = doctype(b, i); err != nil {
				return err
			}
			continue
		}
		if i, err = s.start(b, i, loc); err != nil {
			return err
		}
	}
	return nil
}

// chars handles character data between markup.
func (s *skeleton) chars(text []byte, pos int) error {
	if len(text) == 0 {
		return nil
	}
	if len(s.stack) == 0 {
		if !allSpace(text) {
			return failAt(pos, "text outside the root element")
		}
		return nil
	}
	if s.captureDst != nil && len(s.stack) == s.captureDepth {
		var err error
		s.text, err = s.dec.appendText(s.text, text, pos)
		return err
	}
	return checkText(text, pos)
}

func (s *skeleton) start(b []byte, i int, loc location) (int, error) {
	t, next, err := startTag(b, i)
	if err != nil {
		return 0, err
	}
	if s.done {
		return 0, failAt(i, "a second root element <"+printable(t.name)+">")
	}
	if !s.root {
		if string(t.name) != "yml_catalog" {
			return 0, failAt(i, "the root element is <"+printable(t.name)+">, not <yml_catalog>")
		}
		s.root = true
	}
	s.stack = append(s.stack, openElement{name: string(t.name), at: loc.at(b, i)})
	attrs := map[string]*string{}
	var category *Category
	switch s.path() {
	case "yml_catalog":
		attrs["date"] = &s.shop.Date
	case "yml_catalog/shop/name":
		s.capture(&s.shop.Name)
	case "yml_catalog/shop/company":
		s.capture(&s.shop.Company)
	case "yml_catalog/shop/url":
		s.capture(&s.shop.URL)
	case "yml_catalog/shop/platform":
		s.capture(&s.shop.Platform)
	case "yml_catalog/shop/email":
		s.capture(&s.shop.Email)
	case "yml_catalog/shop/currencies/currency":
		s.shop.Currencies = append(s.shop.Currencies, Currency{})
		c := &s.shop.Currencies[len(s.shop.Currencies)-1]
		attrs["id"], attrs["rate"], attrs["plus"] = &c.ID, &c.Rate, &c.Plus
	case "yml_catalog/shop/categories/category":
		s.shop.Categories = append(s.shop.Categories, Category{})
		category = &s.shop.Categories[len(s.shop.Categories)-1]
		attrs["id"], attrs["parentId"], attrs["code"] = &category.ID, &category.ParentID, &category.Code
		attrs["portal_id"], attrs["rz_id"] = &category.PortalID, &category.PortalID
		s.capture(&category.Name)
	}
	for k := t.attrs0; ; {
		a, n, ok, err := nextAttr(b, k, t.attrs1)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		k = n
		if dst := attrs[string(a.name)]; dst != nil && *dst == "" {
			v, err := s.dec.appendAttr(nil, b, a)
			if err != nil {
				return 0, err
			}
			*dst = string(v)
		} else if err := checkText(b[a.val0:a.val1], a.val0); err != nil {
			return 0, err
		}
	}
	if t.selfClosing {
		s.pop()
	}
	return next, nil
}

func (s *skeleton) end(b []byte, i int) (int, error) {
	var want []byte
	if n := len(s.stack); n > 0 {
		want = []byte(s.stack[n-1].name)
	}
	next, err := endTag(b, i, want)
	if err != nil {
		return 0, err
	}
	s.pop()
	return next, nil
}

func (s *skeleton) pop() {
	if s.captureDst != nil && len(s.stack) == s.captureDepth {
		*s.captureDst = string(trimSpace(s.text))
		s.captureDst = nil
	}
	s.stack = s.stack[:len(s.stack)-1]
	if len(s.stack) == 0 {
		s.done = true
	}
}

func (s *skeleton) capture(dst *string) {
	s.captureDst, s.captureDepth, s.text = dst, len(s.stack), s.text[:0]
}

// path is the open elements joined by '/', for the few header paths read.
func (s *skeleton) path() string {
	if len(s.stack) > 4 {
		return ""
	}
	p := ""
	for i, e := range s.stack {
		if i > 0 {
			p += "/"
		}
		p += e.name
	}
	return p
}

// finish checks the feed ended with its root element closed.
func (s *skeleton) finish(end location) error {
	if n := len(s.stack); n > 0 {
		e := s.stack[n-1]
		return e.at.fail("unclosed <" + e.name + "> (the feed ends at offset " + itoa(end.offset) + ")")
	}
	if !s.root {
		return end.fail("no <yml_catalog> element: not a YML feed")
	}
	return nil
}
