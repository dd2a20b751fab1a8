// Package cml turns one CommerceML 2 order document, as the cml extractor
// hands it on (JSON of extractors/feeds/cml.Document), into a canonical
// order. Zakupka.com is its first marketplace.
package cml

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/order"
)

// Marketplace is the canonical name used when the store names none.
const Marketplace = "zakupka"

// Protocols are the ways a store's CommerceML orders are fetched.
const (
	ProtocolFile     = "file"        // the orders file at base_url (default)
	ProtocolExchange = "1c_exchange" // the 1C exchange protocol at base_url, with a login
)

// Options are the own keys of a store whose orders come as CommerceML.
type Options struct {
	// Protocol is how orders are fetched: ProtocolFile or ProtocolExchange.
	// Set on a platform with no connector of its own, it is what makes its
	// orders readable here.
	Protocol string `yaml:"protocol" oneof:"file,1c_exchange"`
	// AllStatuses imports orders in every status; by default a Zakupka
	// store takes New orders only, as Zakupka's own integration does
	// (its help for sellers: «синхронизируются только со статусом НОВЫЙ»). Other
	// platforms' CommerceML gives every status.
	AllStatuses bool `yaml:"all_statuses"`
}

// SourceSet tells whether the store names how its orders are fetched
// (config.SourceOptions).
func (o Options) SourceSet() bool { return o.Protocol != "" }

// LoginReason: the 1C exchange logs in.
func (o Options) LoginReason() string {
	if o.Protocol == ProtocolExchange {
		return "the 1C exchange protocol needs a login (username with password_env or password_file)"
	}
	return ""
}

// onlyNew tells whether the store skips every order that is not new (see
// IsNew): Zakupka syncs new orders only and takes no status back.
func onlyNew(store canon.Store) bool {
	return store.Marketplace == Marketplace && !canon.OptionsOf[Options](store.Options).AllStatuses
}

// Transform decodes one document and maps it to canon.Order. A bad field
// fails the order with a *canon.FieldError whose Field is a path in the
// CML names ("Товары[1].Количество"); a Zakupka store's order that is not
// new fails with an error that errors.Is(err, canon.ErrSkipped).
var Transform = decode.Transform(build)

type skipError struct{ status string }

func (e *skipError) Error() string { return "skipped: not a new order (status «" + e.status + "»)" }
func (e *skipError) Unwrap() error { return canon.ErrSkipped }

// newStatuses are the «Статус заказа» values meaning a new order, folded to
// lower case: Russian and Ukrainian cabinets, English, and 1C-Bitrix's
// status code N ("[N] Принят").
var newStatuses = map[string]bool{"новый": true, "новий": true, "new": true, "n": true, "принят": true, "прийнято": true}

// IsNew reports whether the order is new. An empty status counts as new:
// Zakupka's cabinet can export only new orders (its help tells the seller
// to choose that), and such a file need not name the status. An order
// marked «Отменен» or «Финальный статус» true is never new.
func IsNew(d *wire.Document) bool {
	for _, name := range []string{wire.ReqCanceled, wire.ReqFinal} {
		if v, ok := wire.FindRequisite(d.Requisites, name); ok {
			if b, known := parseBool(v); known && b {
				return false
			}
		}
	}
	raw, _ := wire.FindRequisite(d.Requisites, wire.ReqStatus)
	if raw == "" {
		return true
	}
	code, name := splitStatus(raw)
	return newStatuses[strings.ToLower(code)] || newStatuses[strings.ToLower(name)]
}

// Skip reports whether a Zakupka store would skip an order, without a
// full transform; an undecodable record is not skipped (it is rejected).
func Skip(raw json.RawMessage) bool {
	var d wire.Document
	return decode.Into(raw, &d) == nil && !IsNew(&d)
}

// RecordID reads the order id of a record that may not decode: its
// top-level Ид, else Номер, as long as they come before the damage.
func RecordID(raw json.RawMessage) string {
	return canon.FirstNonEmpty(source.PeekID(raw, "Ид"), source.PeekID(raw, "Номер"))
}

// statusPattern reads 1C-Bitrix's "[N] Принят": a code in brackets, then a name.
var statusPattern = regexp.MustCompile(`^\[([^\]]*)\]\s*(.*)$`)

func splitStatus(s string) (code, name string) {
	if m := statusPattern.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		return strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	}
	return "", strings.TrimSpace(s)
}

func statusText(d *wire.Document) string {
	s, _ := wire.FindRequisite(d.Requisites, wire.ReqStatus)
	return s
}

func build(d *wire.Document, store canon.Store) (canon.Order, error) {
	if onlyNew(store) && !IsNew(d) {
		return canon.Order{}, &skipError{status: statusText(d)}
	}
	o := store.NewOrder(Marketplace, currency(d.Currency), "")
	o.ExternalID, o.BuyerComment = d.Key(), strings.TrimSpace(d.Comment)
	if o.ExternalID == "" {
		return canon.Order{}, canon.FieldErr("Ид", "missing (and no Номер)")
	}
	var err error
	if o.CreatedAt, err = d.Created(); err != nil {
		return canon.Order{}, canon.FieldErr("Дата", err.Error())
	}
	// A change time that cannot be read leaves the creation time: the
	// order still loads (and is re-read when its content changes).
	o.ModifiedAt = o.CreatedAt
	if t, ok, err := d.Modified(); err == nil && ok {
		o.ModifiedAt = t
	}
	mapStatus(&o, d, store.Mappings.Status)
	mapPeople(&o, d)
	mapDelivery(&o, d, store.Mappings.Delivery)
	if err := mapPayment(&o, d, store.Mappings.Payment); err != nil {
		return canon.Order{}, err
	}
	if err := mapMoney(&o, d); err != nil {
		return canon.Order{}, err
	}
	return o, nil
}

func mapStatus(o *canon.Order, d *wire.Document, table map[string]string) {
	raw := statusText(d)
	if raw == "" {
		if v, ok := wire.FindRequisite(d.Requisites, wire.ReqCanceled); ok {
			if b, known := parseBool(v); known && b {
				raw = "Отменен"
			}
		}
	}
	code, name := splitStatus(raw)
	// A mapping may name the status as written, its name or its code.
	order.Status(o, table, raw, name, raw, name, code)
}

// buyer is the counterparty in the role «Покупатель», else the first one.
func buyer(d *wire.Document) *wire.Counterparty {
	if len(d.Counterparties) == 0 {
		return nil
	}
	for i := range d.Counterparties {
		if strings.EqualFold(strings.TrimSpace(d.Counterparties[i].Role), "Покупатель") {
			return &d.Counterparties[i]
		}
	}
	return &d.Counterparties[0]
}

// recipient is a counterparty in the role «Получатель» other than the buyer.
func recipient(d *wire.Document, b *wire.Counterparty) *wire.Counterparty {
	for i := range d.Counterparties {
		c := &d.Counterparties[i]
		if c != b && strings.EqualFold(strings.TrimSpace(c.Role), "Получатель") {
			return c
		}
	}
	return nil
}

// person is the counterparty's name in parts, else its full name split.
func person(c *wire.Counterparty) order.Party {
	full := canon.FirstNonEmpty(c.FullName, c.Name, c.OfficialName)
	return order.Person(c.LastName, c.FirstName, c.MiddleName, full, contact(c, isPhone))
}

func mapPeople(o *canon.Order, d *wire.Document) {
	b := buyer(d)
	if b == nil {
		return
	}
	bp := person(b)
	rp := bp
	if r := recipient(d, b); r != nil {
		rp = person(r)
	}
	o.BuyerEmail = contact(b, isEmail)
	order.Parties(o, bp, rp)
}

// contact returns the first contact value that is kind.
func contact(c *wire.Counterparty, kind func(wire.Contact) bool) string {
	for _, ct := range c.Contacts {
		if v := strings.TrimSpace(ct.Value); v != "" && kind(ct) {
			return v
		}
	}
	return ""
}

// isPhone: Тип «Телефон», «ТелефонРабочий», «Телефон мобильный»…
func isPhone(c wire.Contact) bool {
	t := strings.ToLower(c.Type)
	return strings.Contains(t, "телефон") || strings.Contains(t, "phone")
}

// isEmail: Тип «Почта», «Электронная почта», «E-mail», or any value with an @.
func isEmail(c wire.Contact) bool {
	t := strings.ToLower(c.Type)
	return strings.Contains(t, "почта") || strings.Contains(t, "mail") || strings.Contains(c.Value, "@")
}

func mapDelivery(o *canon.Order, d *wire.Document, table map[string]string) {
	method, _ := wire.FindRequisite(d.Requisites, wire.ReqDeliveryMethod)
	order.Delivery(o, table, method)
	for _, name := range []string{"ТТН", "Номер ТТН", "Номер декларации", "ЕН"} {
		if v, ok := wire.FindRequisite(d.Requisites, name); ok && v != "" {
			o.TTN = v
			break
		}
	}
	if v, ok := wire.FindRequisite(d.Requisites, wire.ReqDeliveryAddr); ok && v != "" {
		o.DeliveryAddress = v
		return
	}
	if b := buyer(d); b != nil {
		o.DeliveryAddress = addressText(b.Address, b.RegAddress)
	}
}

// addressText is the first address's Представление, else its fields joined.
func addressText(addrs ...*wire.Address) string {
	for _, a := range addrs {
		if a == nil {
			continue
		}
		if t := strings.TrimSpace(a.Text); t != "" {
			return t
		}
		var parts []string
		for _, f := range a.Fields {
			if v := strings.TrimSpace(f.Value); v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, ", ")
		}
	}
	return ""
}

func mapPayment(o *canon.Order, d *wire.Document, table map[string]string) error {
	method, _ := wire.FindRequisite(d.Requisites, wire.ReqPaymentMethod)
	if method == "" && len(d.Payments) > 0 {
		method = strings.TrimSpace(d.Payments[0].Method)
	}
	order.Payment(o, table, method)
	v, ok := wire.FindRequisite(d.Requisites, wire.ReqPaid)
	if !ok || v == "" {
		// No flag: a payment block with a sum counts as paid.
		for _, p := range d.Payments {
			if s, err := money.ParseOptional(p.Sum); err == nil && s.IsPositive() {
				o.Paid, o.PaymentStatus = true, "paid"
			}
		}
		return nil
	}
	paid, known := parseBool(v)
	if !known {
		// A flag that says neither yes nor no: the payment status stays
		// unknown rather than the order being lost.
		return nil
	}
	o.Paid, o.PaymentStatus = paid, "unpaid"
	if paid {
		o.PaymentStatus = "paid"
	}
	return nil
}

// parseBool reads the booleans CML files use.
func parseBool(s string) (value, known bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "да", "так", "yes", "истина":
		return true, true
	case "false", "0", "нет", "ні", "no", "ложь":
		return false, true
	}
	return false, false
}

// currency: Валюта is free text: «грн», «UAH», «руб», code 980…
func currency(s string) string {
	switch c := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))); c {
	case "", "грн", "uah", "₴", "980", "гривна", "гривня":
		return "UAH"
	case "руб", "rub", "643", "rur":
		return "RUB"
	default:
		return strings.ToUpper(c)
	}
}

// mapMoney: Сумма is the document total, service lines (delivery)
// included. As for every marketplace, Amount is the goods, FullAmount the
// total and DeliveryCost the service lines; service lines are not items.
//
// The document's Сумма is what the buyer pays, taxes added on top
// included: in ArgentCrusade/commerceml tests/fixtures/documents-example.xml
// document 142 has lines of 3338 and 3600 with НДС «УчтеноВСумме» false
// (600.84 and 648) and a Сумма of 8186.84 = 6938 + 1248.84, while the
// document-level Налоги repeat 1248.84 with the same false flag; and
// 1C-Bitrix writes the order's final price as the document's Сумма next to
// a document-level Скидка with УчтеноВСумме false
// (avshatalov48/bitrix-core-business modules/sale/general/export.php). So
// the document-level flags describe the lines, never the document's own
// Сумма, and FullAmount is that Сумма as written.
func mapMoney(o *canon.Order, d *wire.Document) error {
	total, err := money.ParseField("Сумма", d.Sum, true)
	if err != nil {
		return err
	}
	line := uint32(0)
	for i, it := range d.Items {
		at := func(f string) string { return "Товары[" + strconv.Itoa(i) + "]." + f }
		item, err := parseItem(it, at)
		if err != nil {
			return err
		}
		if isService(it) {
			o.DeliveryCost = o.DeliveryCost.Add(item.Total)
			continue
		}
		item.Line = line
		line++
		o.Items = append(o.Items, item)
	}
	o.FullAmount = total
	o.Amount = total.Sub(o.DeliveryCost)
	return nil
}

// isService: the delivery line (Ид ORDER_DELIVERY) or any line whose
// ВидНоменклатуры / ТипНоменклатуры is «Услуга».
func isService(it wire.Item) bool {
	if strings.EqualFold(strings.TrimSpace(it.ID), "ORDER_DELIVERY") {
		return true
	}
	for _, name := range []string{wire.ReqItemKind, wire.ReqItemType} {
		if v, _ := wire.FindRequisite(it.Requisites, name); strings.EqualFold(v, "Услуга") || strings.EqualFold(v, "Послуга") {
			return true
		}
	}
	return false
}

// parseItem reads one line. Its Total is what the buyer pays for it:
//
//   - the line's Сумма as written (else the unit price × Количество). When
//     Сумма and price × quantity disagree, Сумма wins: it is the amount
//     after the line's discounts, and 1C-Bitrix's own order loader reads a
//     line the same way (price = Сумма / Количество, the rest of Цена a
//     discount; avshatalov48/bitrix-core-business
//     modules/sale/general/order_loader.php, collectOrderInfo);
//   - plus every tax of the line with УчтеноВСумме false: such a tax comes
//     on top of Сумма (the document total of the ArgentCrusade example
//     above is the line sums plus those taxes);
//   - minus every discount with УчтеноВСумме false, which Сумма does not
//     yet have taken off.
//
// A tax or discount without the flag counts as included: kramar adds or
// removes no money the document does not say to (1C and 1C-Bitrix always
// write the flag).
//
// The unit price is ЦенаЗаЕдиницу (CML 2.04/2.05), else Цена (CML 2.08+
// and 3.x). Price is that price when price × quantity is the Total;
// otherwise (a discount, a tax on top) it is Total / Количество to the
// kopeck, the price the buyer pays per unit, as every other marketplace
// reports it. The unit is БазоваяЕдиница, else Единица's short name.
func parseItem(it wire.Item, at func(string) string) (canon.Item, error) {
	out := canon.Item{
		ProductID: strings.TrimSpace(it.ID), ExternalID: strings.TrimSpace(it.ID),
		SKU: strings.TrimSpace(it.Article), Name: strings.TrimSpace(it.Name),
	}
	if u := it.Unit; u != nil {
		out.Unit = canon.FirstNonEmpty(u.Name, u.FullName, u.International)
	}
	if m := it.Measure; m != nil && out.Unit == "" {
		out.Unit = canon.FirstNonEmpty(m.ShortName, m.Text, m.International, m.FullName, m.Code)
	}
	var err error
	if out.Quantity, err = money.ParseField(at("Количество"), it.Quantity, true); err != nil {
		return out, err
	}
	priceField, priceText := "ЦенаЗаЕдиницу", it.UnitPrice
	if strings.TrimSpace(priceText) == "" {
		priceField, priceText = "Цена", it.Price
	}
	hasPrice, hasSum := strings.TrimSpace(priceText) != "", strings.TrimSpace(it.Sum) != ""
	var stated decimal.Decimal
	if hasPrice {
		if stated, err = money.ParseField(at(priceField), priceText, true); err != nil {
			return out, err
		}
	}
	switch {
	case hasSum:
		if out.Total, err = money.ParseField(at("Сумма"), it.Sum, true); err != nil {
			return out, err
		}
	case hasPrice:
		out.Total = stated.Mul(out.Quantity)
	default:
		return out, canon.FieldErr(at("Цена"), "missing: the line has none of ЦенаЗаЕдиницу, Цена and Сумма")
	}
	// Taxes on top add to the total; discounts not yet taken come off it.
	onTop, err := separate(at, "Налоги", len(it.Taxes), func(j int) (string, string) { return it.Taxes[j].Included, it.Taxes[j].Sum })
	if err != nil {
		return out, err
	}
	notTaken, err := separate(at, "Скидки", len(it.Discounts), func(j int) (string, string) { return it.Discounts[j].Included, it.Discounts[j].Sum })
	if err != nil {
		return out, err
	}
	out.Total = out.Total.Add(onTop).Sub(notTaken)
	out.Price = stated
	if !stated.Mul(out.Quantity).Equal(out.Total) && !out.Quantity.IsZero() {
		out.Price = out.Total.DivRound(out.Quantity, 2)
	}
	return out, nil
}

// separate is the sum of the n taxes or discounts of a line (group names
// them) that are not in the line's Сумма; part gives the j-th's
// УчтеноВСумме and Сумма.
func separate(at func(string) string, group string, n int, part func(j int) (included, sum string)) (decimal.Decimal, error) {
	var total decimal.Decimal
	for j := range n {
		f := func(name string) string { return at(group + "[" + strconv.Itoa(j) + "]." + name) }
		included, sum := part(j)
		apart, amount, err := adjustment(f, included, sum)
		if err != nil {
			return total, err
		}
		if apart {
			total = total.Add(amount)
		}
	}
	return total, nil
}

// adjustment reads a tax's or a discount's УчтеноВСумме and Сумма;
// separate is true when the flag says false (the amount is not in the
// line's Сумма). An absent flag counts as included, an absent Сумма as 0.
func adjustment(at func(string) string, included, sum string) (separate bool, amount decimal.Decimal, err error) {
	if strings.TrimSpace(included) != "" {
		in, known := parseBool(included)
		if !known {
			return false, amount, canon.FieldErr(at("УчтеноВСумме"), "expected true or false, got "+strconv.Quote(strings.TrimSpace(included)))
		}
		separate = !in
	}
	if amount, err = money.ParseField(at("Сумма"), sum, false); err != nil {
		return false, amount, err
	}
	return separate, amount, nil
}
