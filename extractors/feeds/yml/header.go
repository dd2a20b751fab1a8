package yml

import (
	"bytes"
	"fmt"
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
	notes *tally
	stack []openElement
	root  bool // the root element has started
	done  bool // the root element has ended

	// categoryAt is where each category id was first defined; dupes are
	// the later definitions of an id (indexes in shop.Categories).
	categoryAt map[string]categoryDef
	dupes      []categoryDup

	captureDst   *string // the header field being read, if any
	captureDepth int
	text         []byte
}

type openElement struct {
	name string // as the reader knows it (see fold.go)
	raw  string // as written, when that differs, for its end tag
	at   location
}

type categoryDef struct {
	index int
	at    location
}

type categoryDup struct {
	first, again categoryDef
}

func newSkeleton(notes *tally) *skeleton {
	return &skeleton{shop: &Shop{}, notes: notes, categoryAt: map[string]categoryDef{}}
}

// headerElements are the names of the header the reader knows, folded to
// when written with Cyrillic look-alikes.
var headerElements = map[string]bool{
	"yml_catalog": true, "shop": true, "name": true, "company": true, "url": true, "platform": true,
	"email": true, "currencies": true, "currency": true, "categories": true, "category": true,
	"offers": true, "offer": true,
}

// knownName returns the name the reader knows raw by, folding Cyrillic
// look-alikes in a name it does not know (see fold.go); folded is whether
// it did.
func (s *skeleton) knownName(raw []byte, known func(string) bool) (name string, folded []byte, replaced string) {
	if known(string(raw)) || !hasHigh(raw) {
		return string(raw), nil, ""
	}
	f, replaced, ok := s.dec.fold(raw)
	if !ok || !known(string(f)) {
		return string(raw), nil, ""
	}
	return string(f), f, replaced
}

func (s *skeleton) noteFold(what string, raw, folded []byte, where, replaced string, at location) {
	key, say := foldNote(s.dec, what, raw, folded, where, replaced)
	s.notes.add(note{key: key, count: 1, pos: -1, loc: at, say: say})
}

// inOffers reports whether the next offer would sit in
// yml_catalog/shop/offers, or yml_catalog/offers as Epicentr writes it.
func (s *skeleton) inOffers() bool {
	switch p := s.path(); p {
	case "yml_catalog/shop/offers", "yml_catalog/offers":
		return true
	}
	return false
}

// feed parses one segment b that starts at loc, in the encoding dec.
func (s *skeleton) feed(b []byte, loc location, dec decoder) error {
	s.dec = dec
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
	at := loc.at(b, i)
	name, folded, replaced := s.knownName(t.name, func(n string) bool { return headerElements[n] })
	if !s.root {
		if name != "yml_catalog" {
			return 0, failAt(i, "the root element is <"+printable(t.name)+">, not <yml_catalog>")
		}
		s.root = true
	}
	if folded != nil {
		if name == "offer" {
			// Offers are found by a byte scan for "<offer", before any
			// parsing; one spelled otherwise would be silently skipped.
			return 0, failAt(i, "<"+printable(t.name)+"> is written with Cyrillic letters that look Latin ("+replaced+"): offers must be <offer>")
		}
		s.noteFold("element", t.name, folded, "in the header", replaced, at)
	}
	e := openElement{name: name, at: at}
	if folded != nil {
		e.raw = string(t.name)
	}
	s.stack = append(s.stack, e)
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
	for a, err := range attrsOf(b, t.attrs0, t.attrs1) {
		if err != nil {
			return 0, err
		}
		dst := attrs[string(a.name)]
		if dst == nil && hasHigh(a.name) {
			if _, f, replaced := s.knownName(a.name, func(n string) bool { return attrs[n] != nil }); f != nil {
				dst = attrs[string(f)]
				s.noteFold("attribute", a.name, f, "of <"+name+">", replaced, loc.at(b, a.pos))
			}
		}
		if dst != nil && *dst == "" {
			v, err := s.dec.appendAttr(nil, b, a)
			if err != nil {
				return 0, err
			}
			*dst = string(v)
		} else if err := checkText(b[a.val0:a.val1], a.val0); err != nil {
			return 0, err
		}
	}
	if category != nil {
		s.defineCategory(len(s.shop.Categories)-1, at)
	}
	if t.selfClosing {
		s.pop()
	}
	return next, nil
}

// defineCategory remembers where a category id is defined. Real feeds
// define one id twice with different names (JEBS-O/desktop-converter-
// excel-xml rozetka.xml: id 1112602 under two parents); both stay in
// Shop.Categories as written, and a warning says offers get the first.
func (s *skeleton) defineCategory(index int, at location) {
	id := s.shop.Categories[index].ID
	def := categoryDef{index: index, at: at}
	first, ok := s.categoryAt[id]
	if !ok {
		s.categoryAt[id] = def
		return
	}
	s.dupes = append(s.dupes, categoryDup{first: first, again: def})
}

// noteDupes turns the ids defined twice into one warning, once the
// categories' names are read.
func (s *skeleton) noteDupes() {
	if len(s.dupes) == 0 {
		return
	}
	d := s.dupes[0]
	first, again := s.shop.Categories[d.first.index], s.shop.Categories[d.again.index]
	n := len(s.dupes)
	s.notes.add(note{key: "category dupes", count: n, pos: -1, loc: d.again.at, say: func(count, line int) string {
		what := "1 category id is"
		if count > 1 {
			what = fmt.Sprintf("%d category ids are", count)
		}
		return fmt.Sprintf("%s defined more than once (first: id %s at line %d %q and at line %d %q); offers in it get the first definition",
			what, first.ID, d.first.at.line, cut(first.Name), line, cut(again.Name))
	}})
	s.dupes = nil
}

func (s *skeleton) end(b []byte, i int) (int, error) {
	var want []byte
	if n := len(s.stack); n > 0 {
		want = []byte(s.stack[n-1].name)
		if s.stack[n-1].raw != "" {
			want = []byte(s.stack[n-1].raw)
		}
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
	if s.stack[len(s.stack)-1].name == "categories" {
		s.noteDupes()
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
	s.noteDupes()
	return nil
}
