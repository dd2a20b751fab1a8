package yml

import (
	"bytes"
	"fmt"
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
}

// value is a child element's trimmed text, as a new string.
type childValue struct {
	text   string
	nested bool // the element held elements (raw inner markup is kept in text for descriptions)
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

func offerAttr(name []byte) int {
	switch string(name) {
	case "id":
		return oaID
	case "available":
		return oaAvailable
	case "group_id":
		return oaGroupID
	case "type":
		return oaType
	case "selling_type":
		return oaSellingType
	}
	return oaNone
}

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

func childAttr(name []byte) int {
	switch string(name) {
	case "lang":
		return caLang
	case "code":
		return caCode
	case "name":
		return caName
	case "unit":
		return caUnit
	case "paramid":
		return caParamID
	case "paramcode":
		return caParamCode
	case "valuecode":
		return caValueCode
	}
	return caNone
}

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

func childElement(name []byte) int {
	switch string(name) {
	case "url":
		return ceURL
	case "price":
		return cePrice
	case "oldprice", "price_old":
		return ceOldPrice
	case "price_promo":
		return cePricePromo
	case "currencyId":
		return ceCurrencyID
	case "categoryId":
		return ceCategoryID
	case "category": // Epicentr: <category code="3806">Назва</category>
		return ceCategory
	case "attribute_set":
		return ceAttributeSet
	case "portal_category_id":
		return cePortalCategoryID
	case "picture":
		return cePicture
	case "name":
		return ceName
	case "name_ua":
		return ceNameUA
	case "description":
		return ceDescription
	case "description_ua":
		return ceDescriptionUA
	case "vendor":
		return ceVendor
	case "vendorCode":
		return ceVendorCode
	case "article":
		return ceArticle
	case "model":
		return ceModel
	case "typePrefix":
		return ceTypePrefix
	case "barcode":
		return ceBarcode
	case "keywords":
		return ceKeywords
	case "keywords_ua":
		return ceKeywordsUA
	case "quantity_in_stock":
		return ceQuantityInStock
	case "stock_quantity":
		return ceStockQuantity
	case "quantity":
		return ceQuantity
	case "presence":
		return cePresence
	case "availability":
		return ceAvailability
	case "state":
		return ceState
	case "condition":
		return ceCondition
	case "country_of_origin":
		return ceCountry
	case "sales_notes":
		return ceSalesNotes
	case "manufacturer_warranty":
		return ceWarranty
	case "selling_type":
		return ceSellingType
	case "param":
		return ceParam
	}
	return ceNone
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

// parse reads the offer whose '<' is at b[i]; b ends where the offer ends.
func (p *offerParser) parse(b []byte, i int) (Offer, error) {
	var o Offer
	start := i
	t, i, err := startTag(b, i)
	if err != nil {
		return o, err
	}
	for a, err := range attrsOf(b, t.attrs0, t.attrs1) {
		if err != nil {
			return o, err
		}
		var dst *string
		oa := offerAttr(a.name)
		if oa == oaNone {
			oa = p.refold(a.name, a.pos, offerAttr, "attribute", "of <offer>")
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
				return o, err
			}
			continue
		}
		if *dst, err = p.attr(b, a); err != nil {
			return o, err
		}
	}
	if t.selfClosing {
		return o, nil
	}
	var stockQuantity, quantity string
	for {
		lt := bytes.IndexByte(b[i:], '<')
		if lt < 0 {
			return o, failAt(len(b), "unclosed <offer>")
		}
		if lt > 0 {
			if err := checkText(b[i:i+lt], i); err != nil {
				return o, err
			}
		}
		i += lt
		if i+1 < len(b) && b[i+1] == '/' {
			if _, err := endTag(b, i, t.name); err != nil {
				return o, err
			}
			break
		}
		n, _, _, ok, err := skipMarkup(b, i)
		if err != nil {
			return o, err
		}
		if ok {
			i = n
			continue
		}
		if i+1 < len(b) && b[i+1] == '!' {
			return o, failAt(i, "unexpected markup declaration")
		}
		ct, n, err := startTag(b, i)
		if err != nil {
			return o, err
		}
		i, err = p.child(&o, b, ct, n, &stockQuantity, &quantity)
		if err != nil {
			return o, err
		}
	}
	// quantity_in_stock first, then stock_quantity, then quantity.
	setFirst(&o.QuantityInStock, stockQuantity)
	setFirst(&o.QuantityInStock, quantity)
	p.checkNames(&o, start)
	return o, nil
}

// child reads one child element of an offer into o and returns the index
// after it. The first occurrence of a single-valued element wins.
func (p *offerParser) child(o *Offer, b []byte, t tag, i int, stockQuantity, quantity *string) (int, error) {
	var lang, code string
	var param Param
	var err error
	el := childElement(t.name)
	if el == ceNone {
		el = p.refold(t.name, t.pos, childElement, "element", "in <offer>")
	}
	for a, aerr := range attrsOf(b, t.attrs0, t.attrs1) {
		if aerr != nil {
			return 0, aerr
		}
		var dst *string
		ca := childAttr(a.name)
		if ca == caNone {
			ca = p.refold(a.name, a.pos, childAttr, "attribute", "in <offer>")
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
	ua := lang == "ua" || lang == "uk" || lang == "uk-UA"
	switch el {
	case ceURL:
		setFirst(&o.URL, v.text)
	case cePrice:
		setFirst(&o.Price, v.text)
	case ceOldPrice:
		setFirst(&o.OldPrice, v.text)
	case cePricePromo:
		setFirst(&o.PricePromo, v.text)
	case ceCurrencyID:
		setFirst(&o.CurrencyID, v.text)
	case ceCategoryID:
		setFirst(&o.CategoryID, v.text)
	case ceCategory:
		setFirst(&o.CategoryID, code)
		setFirst(&o.CategoryName, v.text)
	case ceAttributeSet:
		setFirst(&o.AttributeSet, code)
		setFirst(&o.AttributeSetName, v.text)
	case cePortalCategoryID:
		setFirst(&o.PortalCategoryID, v.text)
	case cePicture:
		p.pictures(o, v.text, t.pos)
	case ceName:
		if ua {
			setFirst(&o.NameUA, v.text)
		} else {
			setFirst(&o.Name, v.text)
		}
	case ceNameUA:
		setFirst(&o.NameUA, v.text)
	case ceDescription:
		if ua {
			setFirst(&o.DescriptionUA, v.text)
		} else {
			setFirst(&o.Description, v.text)
		}
	case ceDescriptionUA:
		setFirst(&o.DescriptionUA, v.text)
	case ceVendor:
		setFirst(&o.Vendor, v.text)
		setFirst(&o.VendorID, code)
	case ceVendorCode:
		setFirst(&o.VendorCode, v.text)
	case ceArticle:
		setFirst(&o.Article, v.text)
	case ceModel:
		setFirst(&o.Model, v.text)
	case ceTypePrefix:
		setFirst(&o.TypePrefix, v.text)
	case ceBarcode:
		setFirst(&o.Barcode, v.text)
	case ceKeywords:
		setFirst(&o.Keywords, v.text)
	case ceKeywordsUA:
		setFirst(&o.KeywordsUA, v.text)
	case ceQuantityInStock:
		setFirst(&o.QuantityInStock, v.text)
	case ceStockQuantity:
		setFirst(stockQuantity, v.text)
	case ceQuantity:
		setFirst(quantity, v.text)
	case cePresence:
		setFirst(&o.Presence, v.text)
	case ceAvailability:
		setFirst(&o.Availability, v.text)
	case ceState:
		setFirst(&o.State, v.text)
	case ceCondition:
		setFirst(&o.Condition, v.text)
	case ceCountry:
		setFirst(&o.Country, v.text)
		setFirst(&o.CountryCode, code)
	case ceSalesNotes:
		setFirst(&o.SalesNotes, v.text)
	case ceWarranty:
		setFirst(&o.Warranty, v.text)
	case ceSellingType:
		setFirst(&o.SellingType, v.text)
	case ceParam:
		param.Value = v.text
		o.Params = append(o.Params, param)
	}
	return next, nil
}

// pictures adds the URLs of one <picture>. Real Rozetka price lists put
// several URLs in one element, separated by "; " (JEBS-O/desktop-converter-
// excel-xml rozetka.xml): each becomes a picture, and the feed gets one
// warning. A ';' not followed by another URL stays part of the URL (it is
// legal in a path).
func (p *offerParser) pictures(o *Offer, text string, pos int) {
	if text == "" {
		return
	}
	parts := splitURLs(text)
	if len(parts) == 1 {
		o.Pictures = append(o.Pictures, text)
		return
	}
	o.Pictures = append(o.Pictures, parts...)
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

func (p *offerParser) attr(b []byte, a attr) (string, error) {
	var err error
	p.scratch, err = p.dec.appendAttr(p.scratch[:0], b, a)
	return string(p.scratch), err
}

func setFirst(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
