package yml

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// offerParser parses whole <offer> elements; one per worker, so its
// scratch buffers are reused without locking.
type offerParser struct {
	dec     decoder
	stack   [][]byte
	scratch []byte
	// notes of the batch being parsed (see note).
	notes *[]note
	// text is the offer being parsed as one string, from b[base], when the
	// feed is UTF-8: a value written plainly is a piece of it, so an offer
	// costs one string allocation instead of one for each of its values.
	text string
	base int
	// params and pictures gather the offer's lists, which are copied out
	// at its end at their final length.
	params   []Param
	pictures []string
}

// childValue is a child element's trimmed text: a piece of the offer's
// text, or a string of its own when it had to be decoded.
type childValue struct {
	text   string
	nested bool // the element held elements (raw inner markup is kept in text for descriptions)
}

// names maps the names the reader knows to their codes; 0 is unknown.
type names map[string]int

// byLength is names laid out by their length for of: the reader asks at
// every tag, and comparing the few known names of that length costs less
// than hashing the name.
type byLength [][]nameCode

type nameCode struct {
	name string
	code int
}

func (n names) byLength() byLength {
	var l byLength
	for name, code := range n {
		for len(l) <= len(name) {
			l = append(l, nil)
		}
		l[len(name)] = append(l[len(name)], nameCode{name, code})
	}
	return l
}

func (l byLength) of(name []byte) int {
	if len(name) >= len(l) {
		return 0
	}
	for _, e := range l[len(name)] {
		if e.name[0] == name[0] && e.name == string(name) {
			return e.code
		}
	}
	return 0
}

// Attributes of <offer> the reader knows.
const (
	oaNone = iota
	oaID
	oaAvailable
	oaGroupID
	oaType
	oaSellingType
)

var offerAttrs = names{"id": oaID, "available": oaAvailable, "group_id": oaGroupID, "type": oaType, "selling_type": oaSellingType}.byLength()

// Attributes of an offer's child elements the reader knows.
const (
	caNone = iota
	caLang
	caCode
	caName
	caUnit
	caParamID
	caParamCode
	caValueCode
)

var childAttrs = names{"lang": caLang, "code": caCode, "name": caName, "unit": caUnit, "paramid": caParamID, "paramcode": caParamCode, "valuecode": caValueCode}.byLength()

// Child elements of <offer> the reader knows.
const (
	ceNone = iota
	ceURL
	cePrice
	ceOldPrice
	cePricePromo
	ceCurrencyID
	ceCategoryID
	ceCategory
	ceAttributeSet
	cePortalCategoryID
	cePicture
	ceName
	ceNameUA
	ceDescription
	ceDescriptionUA
	ceVendor
	ceVendorCode
	ceArticle
	ceModel
	ceTypePrefix
	ceBarcode
	ceKeywords
	ceKeywordsUA
	ceQuantityInStock
	ceStockQuantity
	ceQuantity
	cePresence
	ceAvailability
	ceState
	ceCondition
	ceCountry
	ceSalesNotes
	ceWarranty
	ceSellingType
	ceParam
)

var childElements = names{
	"url":                   ceURL,
	"price":                 cePrice,
	"oldprice":              ceOldPrice,
	"price_old":             ceOldPrice,
	"price_promo":           cePricePromo,
	"currencyId":            ceCurrencyID,
	"categoryId":            ceCategoryID,
	"category":              ceCategory, // Epicentr: <category code="3806">Назва</category>
	"attribute_set":         ceAttributeSet,
	"portal_category_id":    cePortalCategoryID,
	"picture":               cePicture,
	"name":                  ceName,
	"name_ua":               ceNameUA,
	"description":           ceDescription,
	"description_ua":        ceDescriptionUA,
	"vendor":                ceVendor,
	"vendorCode":            ceVendorCode,
	"article":               ceArticle,
	"model":                 ceModel,
	"typePrefix":            ceTypePrefix,
	"barcode":               ceBarcode,
	"keywords":              ceKeywords,
	"keywords_ua":           ceKeywordsUA,
	"quantity_in_stock":     ceQuantityInStock,
	"stock_quantity":        ceStockQuantity,
	"quantity":              ceQuantity,
	"presence":              cePresence,
	"availability":          ceAvailability,
	"state":                 ceState,
	"condition":             ceCondition,
	"country_of_origin":     ceCountry,
	"sales_notes":           ceSalesNotes,
	"manufacturer_warranty": ceWarranty,
	"selling_type":          ceSellingType,
	"param":                 ceParam,
}.byLength()

// offerText says which field of the offer the text of a child element
// goes to; child reads the elements that have no entry (pictures, stock
// quantities, params) itself.
var offerText = [...]func(o *Offer) *string{
	ceURL:              func(o *Offer) *string { return &o.URL },
	cePrice:            func(o *Offer) *string { return &o.Price },
	ceOldPrice:         func(o *Offer) *string { return &o.OldPrice },
	cePricePromo:       func(o *Offer) *string { return &o.PricePromo },
	ceCurrencyID:       func(o *Offer) *string { return &o.CurrencyID },
	ceCategoryID:       func(o *Offer) *string { return &o.CategoryID },
	ceCategory:         func(o *Offer) *string { return &o.CategoryName },
	ceAttributeSet:     func(o *Offer) *string { return &o.AttributeSetName },
	cePortalCategoryID: func(o *Offer) *string { return &o.PortalCategoryID },
	ceName:             func(o *Offer) *string { return &o.Name },
	ceNameUA:           func(o *Offer) *string { return &o.NameUA },
	ceDescription:      func(o *Offer) *string { return &o.Description },
	ceDescriptionUA:    func(o *Offer) *string { return &o.DescriptionUA },
	ceVendor:           func(o *Offer) *string { return &o.Vendor },
	ceVendorCode:       func(o *Offer) *string { return &o.VendorCode },
	ceArticle:          func(o *Offer) *string { return &o.Article },
	ceModel:            func(o *Offer) *string { return &o.Model },
	ceTypePrefix:       func(o *Offer) *string { return &o.TypePrefix },
	ceBarcode:          func(o *Offer) *string { return &o.Barcode },
	ceKeywords:         func(o *Offer) *string { return &o.Keywords },
	ceKeywordsUA:       func(o *Offer) *string { return &o.KeywordsUA },
	ceQuantityInStock:  func(o *Offer) *string { return &o.QuantityInStock },
	cePresence:         func(o *Offer) *string { return &o.Presence },
	ceAvailability:     func(o *Offer) *string { return &o.Availability },
	ceState:            func(o *Offer) *string { return &o.State },
	ceCondition:        func(o *Offer) *string { return &o.Condition },
	ceCountry:          func(o *Offer) *string { return &o.Country },
	ceSalesNotes:       func(o *Offer) *string { return &o.SalesNotes },
	ceWarranty:         func(o *Offer) *string { return &o.Warranty },
	ceSellingType:      func(o *Offer) *string { return &o.SellingType },
}

// offerCode says where the code attribute of a child element goes.
var offerCode = [...]func(o *Offer) *string{
	ceCategory:     func(o *Offer) *string { return &o.CategoryID },
	ceAttributeSet: func(o *Offer) *string { return &o.AttributeSet },
	ceVendor:       func(o *Offer) *string { return &o.VendorID },
	ceCountry:      func(o *Offer) *string { return &o.CountryCode },
}

// refold looks up a name lookup does not know after folding its Cyrillic
// look-alikes (see fold.go); a match is noted at pos.
func (p *offerParser) refold(name []byte, pos int, lookup func([]byte) int, what, where string) int {
	if !hasHigh(name) {
		return 0
	}
	folded, replaced, ok := p.dec.fold(name)
	if !ok {
		return 0
	}
	c := lookup(folded)
	if c != 0 {
		key, say := foldNote(p.dec, what, name, folded, where, replaced)
		addNote(p.notes, key, pos, say)
	}
	return c
}

// parse reads the offer whose '<' is at b[i] into o; b ends where the
// offer ends. o is filled in place, where the batch holds it: the Offer is
// large, and a local one would be moved to the heap.
func (p *offerParser) parse(o *Offer, b []byte, i int) error {
	start := i
	p.params, p.pictures, p.text = p.params[:0], p.pictures[:0], ""
	if !p.dec.cp1251 {
		p.text, p.base = string(b[start:]), start
	}
	t, i, err := startTag(b, i)
	if err != nil {
		return err
	}
	for a, err := range attrsOf(b, t.attrs0, t.attrs1) {
		if err != nil {
			return err
		}
		var dst *string
		oa := offerAttrs.of(a.name)
		if oa == oaNone {
			oa = p.refold(a.name, a.pos, offerAttrs.of, "attribute", "of <offer>")
		}
		switch oa {
		case oaID:
			dst = &o.ID
		case oaAvailable:
			dst = &o.Available
		case oaGroupID:
			dst = &o.GroupID
		case oaType:
			dst = &o.Type
		case oaSellingType:
			dst = &o.SellingType
		default:
			if err := checkText(b[a.val0:a.val1], a.val0); err != nil {
				return err
			}
			continue
		}
		if *dst, err = p.attr(b, a); err != nil {
			return err
		}
	}
	if t.selfClosing {
		return nil
	}
	var stockQuantity, quantity string
	for {
		lt := bytes.IndexByte(b[i:], '<')
		if lt < 0 {
			return failAt(len(b), "unclosed <offer>")
		}
		if lt > 0 {
			if err := checkText(b[i:i+lt], i); err != nil {
				return err
			}
		}
		i += lt
		if i+1 < len(b) && b[i+1] == '/' {
			if _, err := endTag(b, i, t.name); err != nil {
				return err
			}
			break
		}
		n, _, _, ok, err := skipMarkup(b, i)
		if err != nil {
			return err
		}
		if ok {
			i = n
			continue
		}
		if i+1 < len(b) && b[i+1] == '!' {
			return failAt(i, "unexpected markup declaration")
		}
		ct, n, err := startTag(b, i)
		if err != nil {
			return err
		}
		i, err = p.child(o, b, ct, n, &stockQuantity, &quantity)
		if err != nil {
			return err
		}
	}
	// quantity_in_stock first, then stock_quantity, then quantity.
	setFirst(&o.QuantityInStock, stockQuantity)
	setFirst(&o.QuantityInStock, quantity)
	if len(p.params) > 0 {
		o.Params = slices.Clone(p.params)
	}
	if len(p.pictures) > 0 {
		o.Pictures = slices.Clone(p.pictures)
	}
	p.checkNames(o, start)
	return nil
}

// child reads one child element of an offer into o and returns the index
// after it. The first occurrence of a single-valued element wins.
func (p *offerParser) child(o *Offer, b []byte, t tag, i int, stockQuantity, quantity *string) (int, error) {
	var lang, code string
	var param Param
	var err error
	el := childElements.of(t.name)
	if el == ceNone {
		el = p.refold(t.name, t.pos, childElements.of, "element", "in <offer>")
	}
	for a, aerr := range attrsOf(b, t.attrs0, t.attrs1) {
		if aerr != nil {
			return 0, aerr
		}
		var dst *string
		ca := childAttrs.of(a.name)
		if ca == caNone {
			ca = p.refold(a.name, a.pos, childAttrs.of, "attribute", "in <offer>")
		}
		switch {
		case ca == caLang:
			dst = &lang
		case ca == caCode:
			dst = &code
		case el != ceParam:
		case ca == caName:
			dst = &param.Name
		case ca == caUnit:
			dst = &param.Unit
		case ca == caParamID:
			dst = &param.ParamID
		case ca == caParamCode:
			dst = &param.Code
		case ca == caValueCode:
			dst = &param.ValueCode
		}
		if dst == nil {
			if err := checkText(b[a.val0:a.val1], a.val0); err != nil {
				return 0, err
			}
			continue
		}
		if *dst, err = p.attr(b, a); err != nil {
			return 0, err
		}
	}
	v, next, err := p.content(b, t, i, el == ceDescription || el == ceDescriptionUA)
	if err != nil {
		return 0, err
	}
	if lang == "ua" || lang == "uk" || lang == "uk-UA" {
		switch el {
		case ceName:
			el = ceNameUA
		case ceDescription:
			el = ceDescriptionUA
		}
	}
	switch el {
	case cePicture:
		p.addPictures(o, v.text, t.pos)
	case ceStockQuantity:
		setFirst(stockQuantity, v.text)
	case ceQuantity:
		setFirst(quantity, v.text)
	case ceParam:
		param.Value = v.text
		p.params = append(p.params, param)
	default:
		if el < len(offerText) && offerText[el] != nil {
			setFirst(offerText[el](o), v.text)
		}
		if el < len(offerCode) && offerCode[el] != nil {
			setFirst(offerCode[el](o), code)
		}
	}
	return next, nil
}

// addPictures adds the URLs of one <picture>. Real Rozetka price lists put
// several URLs in one element, separated by "; " (JEBS-O/desktop-converter-
// excel-xml rozetka.xml): each becomes a picture, and the feed gets one
// warning. A ';' not followed by another URL stays part of the URL (it is
// legal in a path).
func (p *offerParser) addPictures(o *Offer, text string, pos int) {
	if text == "" {
		return
	}
	var parts []string
	if strings.IndexByte(text, ';') >= 0 {
		parts = splitURLs(text)
	}
	if len(parts) <= 1 {
		p.pictures = append(p.pictures, text)
		return
	}
	p.pictures = append(p.pictures, parts...)
	id, n := o.ID, len(parts)
	addNote(p.notes, "pictures", pos, func(count, line int) string {
		return fmt.Sprintf(`%s list several URLs in one <picture>, separated by ";" (first: offer %s at line %d, %d URLs); each URL is read as a picture`,
			offers(count), id, line, n)
	})
}

// splitURLs cuts text at each ';' that is followed (after spaces) by
// another absolute URL.
func splitURLs(text string) []string {
	if strings.IndexByte(text, ';') < 0 {
		return []string{text}
	}
	var parts []string
	from := 0
	for i := 0; i < len(text); i++ {
		if text[i] != ';' {
			continue
		}
		rest := strings.TrimLeft(text[i+1:], " \t\r\n")
		if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") && !strings.HasPrefix(rest, "//") {
			continue
		}
		if part := strings.TrimRight(text[from:i], "; \t\r\n"); part != "" {
			parts = append(parts, part)
		}
		from = len(text) - len(rest)
		i = from - 1
	}
	if from == 0 {
		return []string{text}
	}
	if part := strings.TrimRight(text[from:], "; \t\r\n"); part != "" {
		parts = append(parts, part)
	}
	return parts
}

// checkNames notes an offer whose name was destroyed before kramar saw it:
// a Rozetka price list whose Cyrillic letters were all turned into '?' by
// a conversion to an encoding without them (JEBS-O/desktop-converter-
// excel-xml rozetka.xml: "?????? Marions 05903 140 ?? ??????"). The name
// is kept as written: what survived (brand, model, size) still identifies
// the product.
func (p *offerParser) checkNames(o *Offer, pos int) {
	for _, name := range [...]string{o.Name, o.NameUA} {
		if !lostToQuestionMarks(name) {
			continue
		}
		id, sample := o.ID, name
		addNote(p.notes, "lost names", pos, func(count, line int) string {
			return fmt.Sprintf("%s have names whose letters are question marks (first: offer %s at line %d, %q): the text was lost when the feed was made, before it was published; the names are kept as written, re-export the feed in UTF-8 to repair them",
				offers(count), id, line, cut(sample))
		})
		return
	}
}

// lostToQuestionMarks reports whether a name has a word of three or more
// question marks and question marks are a quarter of its letters or more:
// what a name becomes when its Cyrillic letters are replaced by '?'.
func lostToQuestionMarks(s string) bool {
	if !strings.Contains(s, "???") {
		return false
	}
	q, other, word := 0, 0, false
	for _, f := range strings.Fields(s) {
		if strings.Trim(f, "?") == "" && len(f) >= 3 {
			word = true
		}
	}
	for _, r := range s {
		switch {
		case r == '?':
			q++
		case r != ' ':
			other++
		}
	}
	return word && q*3 >= other
}

// content reads an element's text. Descriptions that hold unescaped
// markup (<br/>, <p>…</p>) keep it as written rather than losing it.
func (p *offerParser) content(b []byte, t tag, i int, description bool) (childValue, int, error) {
	if t.selfClosing {
		return childValue{}, i, nil
	}
	if p.text != "" {
		if from, to, next, ok := plainValue(b, t, i); ok {
			return childValue{text: p.piece(from, to)}, next, nil
		}
	}
	var err error
	var next, end int
	var nested bool
	p.scratch, next, end, nested, err = p.dec.element(p.scratch[:0], b, i, t, &p.stack)
	if err != nil {
		return childValue{}, 0, err
	}
	if nested && description {
		p.scratch = p.dec.appendRaw(p.scratch[:0], b[i:end])
	}
	return childValue{text: string(trimSpace(p.scratch)), nested: nested}, next, nil
}

// plainValue finds the value of the element whose start tag t ended at
// b[i] when it is written the way most values are: text without entity
// references, or one CDATA section between spaces, directly followed by
// the end tag. Its trimmed bounds in b are the value as element would
// read it, so it can be taken from the buffer without a copy.
func plainValue(b []byte, t tag, i int) (from, to, next int, ok bool) {
	lt := bytes.IndexByte(b[i:], '<')
	if lt < 0 || i+lt+1 >= len(b) {
		return 0, 0, 0, false
	}
	from, to = i, i+lt
	closing := to // where the end tag starts
	switch b[to+1] {
	case '/':
		if bytes.IndexByte(b[from:to], '&') >= 0 {
			return 0, 0, 0, false
		}
	case '!':
		n, cdata, isCDATA, _, err := skipMarkup(b, to)
		if !isCDATA || err != nil || !allSpace(b[from:to]) {
			return 0, 0, 0, false
		}
		from = to + len("<![CDATA[")
		to = from + len(cdata)
		lt = bytes.IndexByte(b[n:], '<')
		if lt < 0 || n+lt+1 >= len(b) || b[n+lt+1] != '/' || !allSpace(b[n:n+lt]) {
			return 0, 0, 0, false
		}
		closing = n + lt
	default:
		return 0, 0, 0, false
	}
	next, err := endTag(b, closing, t.name)
	if err != nil {
		return 0, 0, 0, false
	}
	from, to = trimmed(b, from, to)
	return from, to, next, true
}

func (p *offerParser) attr(b []byte, a attr) (string, error) {
	if p.text != "" && bytes.IndexByte(b[a.val0:a.val1], '&') < 0 {
		return p.piece(a.val0, a.val1), nil
	}
	var err error
	p.scratch, err = p.dec.appendAttr(p.scratch[:0], b, a)
	return string(p.scratch), err
}

// piece is b[from:to] of the offer being parsed, as a piece of its text
// (which the caller has checked there is).
func (p *offerParser) piece(from, to int) string { return p.text[from-p.base : to-p.base] }

func setFirst(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
