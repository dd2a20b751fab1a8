package yml

import (
	"bytes"
)

// offerParser parses whole <offer> elements; one per worker, so its
// scratch buffers are reused without locking.
type offerParser struct {
	dec     decoder
	stack   [][]byte
	scratch []byte
}

// value is a child element's trimmed text, as a new string.
type childValue struct {
	text   string
	nested bool // the element held elements (raw inner markup is kept in text for descriptions)
}

// parse reads the offer whose '<' is at b[i]; b ends where the offer ends.
func (p *offerParser) parse(b []byte, i int) (Offer, error) {
	var o Offer
	t, i, err := startTag(b, i)
	if err != nil {
		return o, err
	}
	for k := t.attrs0; ; {
		a, n, ok, err := nextAttr(b, k, t.attrs1)
		if err != nil {
			return o, err
		}
		if !ok {
			break
		}
		k = n
		var dst *string
		switch string(a.name) {
		case "id":
			dst = &o.ID
		case "available":
			dst = &o.Available
		case "group_id":
			dst = &o.GroupID
		case "type":
			dst = &o.Type
		case "selling_type":
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
	// feeds §5.2: quantity_in_stock first, then stock_quantity, then quantity.
	setFirst(&o.QuantityInStock, stockQuantity)
	setFirst(&o.QuantityInStock, quantity)
	return o, nil
}

// child reads one child element of an offer into o and returns the index
// after it. The first occurrence of a single-valued element wins.
func (p *offerParser) child(o *Offer, b []byte, t tag, i int, stockQuantity, quantity *string) (int, error) {
	var lang, code string
	var param Param
	var err error
	isParam := string(t.name) == "param"
	for k := t.attrs0; ; {
		a, n, ok, aerr := nextAttr(b, k, t.attrs1)
		if aerr != nil {
			return 0, aerr
		}
		if !ok {
			break
		}
		k = n
		var dst *string
		switch string(a.name) {
		case "lang":
			dst = &lang
		case "code":
			dst = &code
		}
		if isParam {
			switch string(a.name) {
			case "name":
				dst = &param.Name
			case "unit":
				dst = &param.Unit
			case "paramid":
				dst = &param.ParamID
			case "paramcode":
				dst = &param.Code
			case "valuecode":
				dst = &param.ValueCode
			}
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
	v, next, err := p.content(b, t, i)
	if err != nil {
		return 0, err
	}
	ua := lang == "ua" || lang == "uk" || lang == "uk-UA"
	switch string(t.name) {
	case "url":
		setFirst(&o.URL, v.text)
	case "price":
		setFirst(&o.Price, v.text)
	case "oldprice", "price_old":
		setFirst(&o.OldPrice, v.text)
	case "price_promo":
		setFirst(&o.PricePromo, v.text)
	case "currencyId":
		setFirst(&o.CurrencyID, v.text)
	case "categoryId":
		setFirst(&o.CategoryID, v.text)
	case "category": // Epicentr: <category code="3806">Назва</category>
		setFirst(&o.CategoryID, code)
		setFirst(&o.CategoryName, v.text)
	case "attribute_set":
		setFirst(&o.AttributeSet, code)
		setFirst(&o.AttributeSetName, v.text)
	case "portal_category_id":
		setFirst(&o.PortalCategoryID, v.text)
	case "picture":
		if v.text != "" {
			o.Pictures = append(o.Pictures, v.text)
		}
	case "name":
		if ua {
			setFirst(&o.NameUA, v.text)
		} else {
			setFirst(&o.Name, v.text)
		}
	case "name_ua":
		setFirst(&o.NameUA, v.text)
	case "description":
		if ua {
			setFirst(&o.DescriptionUA, v.text)
		} else {
			setFirst(&o.Description, v.text)
		}
	case "description_ua":
		setFirst(&o.DescriptionUA, v.text)
	case "vendor":
		setFirst(&o.Vendor, v.text)
		setFirst(&o.VendorID, code)
	case "vendorCode":
		setFirst(&o.VendorCode, v.text)
	case "article":
		setFirst(&o.Article, v.text)
	case "model":
		setFirst(&o.Model, v.text)
	case "typePrefix":
		setFirst(&o.TypePrefix, v.text)
	case "barcode":
		setFirst(&o.Barcode, v.text)
	case "keywords":
		setFirst(&o.Keywords, v.text)
	case "keywords_ua":
		setFirst(&o.KeywordsUA, v.text)
	case "quantity_in_stock":
		setFirst(&o.QuantityInStock, v.text)
	case "stock_quantity":
		setFirst(stockQuantity, v.text)
	case "quantity":
		setFirst(quantity, v.text)
	case "presence":
		setFirst(&o.Presence, v.text)
	case "availability":
		setFirst(&o.Availability, v.text)
	case "state":
		setFirst(&o.State, v.text)
	case "condition":
		setFirst(&o.Condition, v.text)
	case "country_of_origin":
		setFirst(&o.Country, v.text)
		setFirst(&o.CountryCode, code)
	case "sales_notes":
		setFirst(&o.SalesNotes, v.text)
	case "manufacturer_warranty":
		setFirst(&o.Warranty, v.text)
	case "selling_type":
		setFirst(&o.SellingType, v.text)
	case "param":
		param.Value = v.text
		o.Params = append(o.Params, param)
	}
	return next, nil
}

// content reads an element's text. Descriptions that hold unescaped
// markup (<br/>, <p>…</p>) keep it as written rather than losing it.
func (p *offerParser) content(b []byte, t tag, i int) (childValue, int, error) {
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
	if nested && (string(t.name) == "description" || string(t.name) == "description_ua") {
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
