// Package cml reads CommerceML 2 order documents (the «Файл заказов» of
// Zakupka.com and of most 1C-integrated shops) and speaks the 1C exchange
// protocol (?type=sale&mode=checkauth|init|query|success). Its wire types
// are the one place the CML order format lives: the transform (JSON of
// these types), the sandbox (XML of these types) and `kramar inspect` use them.
package cml

import (
	"encoding/xml"
	"strings"
)

// Info is the root element, КоммерческаяИнформация. Tags carry no
// namespace, so the root matches whatever xmlns the file declares: none
// (CML 2.04/2.05 as many shops write it), urn:1C.ru:commerceml_2 (2.05 to
// 2.09), urn:1C.ru:commerceml_210 (2.10) or urn:1C.ru:commerceml_3 (3.x).
// CML 3.x wraps each document in its own Контейнер; Parse folds those into
// Documents.
type Info struct {
	XMLName xml.Name `xml:"КоммерческаяИнформация" json:"-"`
	// Namespace is the root's default xmlns, kept so a file can be written
	// back the way it was read (XMLName's tag would otherwise drop it).
	Namespace     string      `xml:"xmlns,attr,omitempty" json:"-"`
	SchemaVersion string      `xml:"ВерсияСхемы,attr,omitempty" json:"ВерсияСхемы,omitempty"`
	GeneratedAt   string      `xml:"ДатаФормирования,attr,omitempty" json:"ДатаФормирования,omitempty"`
	Documents     []Document  `xml:"Документ,omitempty" json:"Документ"`
	Containers    []Container `xml:"Контейнер,omitempty" json:"-"`
}

// Container is CML 3.x's Контейнер: one document (an order with its
// payments and shipments) per container, as 1C and the 1C-Bitrix exchange
// module write it (irpsv/commerceml tests/assets/bitrix-module-6/documents/1/documents.xml).
type Container struct {
	Documents []Document `xml:"Документ"`
}

// Document is one order (ХозОперация «Заказ товара»). Every value is kept
// as the text the shop wrote: money and quantities as decimal strings
// (comma or dot), dates in the shop's local time. 1C pads fixed-width
// strings with spaces (Номер1С «L320       »); readers trim.
type Document struct {
	ID             string         `xml:"Ид" json:"Ид" kramar:"required"`
	Number         string         `xml:"Номер,omitempty" json:"Номер,omitempty" kramar:"required"`
	Number1C       string         `xml:"Номер1С,omitempty" json:"Номер1С,omitempty"`
	Date           string         `xml:"Дата,omitempty" json:"Дата,omitempty" kramar:"required"`
	Time           string         `xml:"Время,omitempty" json:"Время,omitempty" kramar:"required"`
	Operation      string         `xml:"ХозОперация,omitempty" json:"ХозОперация,omitempty"`
	Role           string         `xml:"Роль,omitempty" json:"Роль,omitempty"`
	Currency       string         `xml:"Валюта,omitempty" json:"Валюта,omitempty"`
	Rate           string         `xml:"Курс,omitempty" json:"Курс,omitempty"`
	Sum            string         `xml:"Сумма" json:"Сумма" kramar:"required"`
	Counterparties []Counterparty `xml:"Контрагенты>Контрагент,omitempty" json:"Контрагенты,omitempty"`
	Comment        string         `xml:"Комментарий,omitempty" json:"Комментарий,omitempty"`
	// Taxes and Discounts of the whole document (the sum of the lines'
	// taxes, an order-level discount) are already in the document's Сумма
	// whatever their УчтеноВСумме says; see the transform.
	Taxes      []Tax       `xml:"Налоги>Налог,omitempty" json:"Налоги,omitempty"`
	Discounts  []Discount  `xml:"Скидки>Скидка,omitempty" json:"Скидки,omitempty"`
	Payments   []Payment   `xml:"Оплаты>Оплата,omitempty" json:"Оплаты,omitempty"`
	Items      []Item      `xml:"Товары>Товар,omitempty" json:"Товары,omitempty"`
	Requisites []Requisite `xml:"ЗначенияРеквизитов>ЗначениеРеквизита,omitempty" json:"ЗначенияРеквизитов,omitempty"`
}

// Counterparty is a buyer (Роль «Покупатель»), payer or recipient. Most
// shops fill only Наименование / ПолноеНаименование: the full name in one
// field; Фамилия, Имя, Отчество are optional.
type Counterparty struct {
	ID              string         `xml:"Ид,omitempty" json:"Ид,omitempty"`
	Name            string         `xml:"Наименование,omitempty" json:"Наименование,omitempty"`
	FullName        string         `xml:"ПолноеНаименование,omitempty" json:"ПолноеНаименование,omitempty"`
	OfficialName    string         `xml:"ОфициальноеНаименование,omitempty" json:"ОфициальноеНаименование,omitempty"`
	Role            string         `xml:"Роль,omitempty" json:"Роль,omitempty"`
	Relation        string         `xml:"Отношение,omitempty" json:"Отношение,omitempty"`
	LastName        string         `xml:"Фамилия,omitempty" json:"Фамилия,omitempty"`
	FirstName       string         `xml:"Имя,omitempty" json:"Имя,omitempty"`
	MiddleName      string         `xml:"Отчество,omitempty" json:"Отчество,omitempty"`
	RegAddress      *Address       `xml:"АдресРегистрации,omitempty" json:"АдресРегистрации,omitempty"`
	Address         *Address       `xml:"Адрес,omitempty" json:"Адрес,omitempty"`
	LegalAddress    *Address       `xml:"ЮридическийАдрес,omitempty" json:"ЮридическийАдрес,omitempty"`
	Contacts        []Contact      `xml:"Контакты>Контакт,omitempty" json:"Контакты,omitempty"`
	Representatives []Counterparty `xml:"Представители>Представитель>Контрагент,omitempty" json:"Представители,omitempty"`
}

// Contact is a phone or e-mail: Тип «Телефон», «ТелефонРабочий»,
// «Телефон мобильный», «Почта», «Электронная почта»…
type Contact struct {
	Type    string `xml:"Тип" json:"Тип"`
	Value   string `xml:"Значение" json:"Значение"`
	Comment string `xml:"Комментарий,omitempty" json:"Комментарий,omitempty"`
}

// Address is an address as one line (Представление) and/or as fields.
type Address struct {
	Text   string         `xml:"Представление,omitempty" json:"Представление,omitempty"`
	Fields []AddressField `xml:"АдресноеПоле,omitempty" json:"АдресноеПоле,omitempty"`
}

// AddressField is one part of an address: Тип «Почтовый индекс», «Город», «Улица»…
type AddressField struct {
	Type  string `xml:"Тип" json:"Тип"`
	Value string `xml:"Значение" json:"Значение"`
}

// Payment is one payment of the order (optional block).
type Payment struct {
	DocumentNumber string `xml:"НомерДокумента,omitempty" json:"НомерДокумента,omitempty"`
	TransactionID  string `xml:"НомерТранзакции,omitempty" json:"НомерТранзакции,omitempty"`
	Date           string `xml:"ДатаОплаты,omitempty" json:"ДатаОплаты,omitempty"`
	Sum            string `xml:"СуммаОплаты,omitempty" json:"СуммаОплаты,omitempty"`
	Method         string `xml:"СпособОплаты,omitempty" json:"СпособОплаты,omitempty"`
	MethodID       string `xml:"ИдСпособаОплаты,omitempty" json:"ИдСпособаОплаты,omitempty"`
}

// Item is one line of Товары: a good, or a service such as delivery
// (Ид ORDER_DELIVERY, or the requisite ВидНоменклатуры / ТипНоменклатуры «Услуга»).
//
// Two shapes are in use. CML 2.04/2.05 files (1C-Bitrix's site export at
// 2.05, for one) price a line with ЦенаЗаЕдиницу and name its unit in
// БазоваяЕдиница. CML 2.08+ and 3.x files from 1C price it with Цена, name
// the unit in an Единица element with children (Ид, Код,
// НаименованиеКраткое, НаименованиеПолное), add Коэффициент, and list the
// line's taxes in Налоги (ArgentCrusade/commerceml
// tests/fixtures/documents-example.xml; irpsv/commerceml
// tests/assets/bitrix-module-6/documents/*/documents.xml). The field order
// below follows 1C's, so files written from these types read like 1C's.
type Item struct {
	ID         string      `xml:"Ид,omitempty" json:"Ид,omitempty"`
	CatalogID  string      `xml:"ИдКаталога,omitempty" json:"ИдКаталога,omitempty"`
	Article    string      `xml:"Артикул,omitempty" json:"Артикул,omitempty"`
	Name       string      `xml:"Наименование" json:"Наименование"`
	Unit       *Unit       `xml:"БазоваяЕдиница,omitempty" json:"БазоваяЕдиница,omitempty"`
	TaxRates   []TaxRate   `xml:"СтавкиНалогов>СтавкаНалога,omitempty" json:"СтавкиНалогов,omitempty"`
	Requisites []Requisite `xml:"ЗначенияРеквизитов>ЗначениеРеквизита,omitempty" json:"ЗначенияРеквизитов,omitempty"`
	Measure    *Measure    `xml:"Единица,omitempty" json:"Единица,omitempty"`
	Factor     string      `xml:"Коэффициент,omitempty" json:"Коэффициент,omitempty"`
	Discounts  []Discount  `xml:"Скидки>Скидка,omitempty" json:"Скидки,omitempty"`
	// UnitPrice is ЦенаЗаЕдиницу (CML 2.04/2.05), Price is Цена (2.08+, 3.x).
	UnitPrice string `xml:"ЦенаЗаЕдиницу,omitempty" json:"ЦенаЗаЕдиницу,omitempty" kramar:"required"`
	Quantity  string `xml:"Количество" json:"Количество" kramar:"required"`
	Price     string `xml:"Цена,omitempty" json:"Цена,omitempty" kramar:"required"`
	Sum       string `xml:"Сумма,omitempty" json:"Сумма,omitempty" kramar:"required"`
	Taxes     []Tax  `xml:"Налоги>Налог,omitempty" json:"Налоги,omitempty"`
}

// Unit is БазоваяЕдиница: <БазоваяЕдиница Код="796" НаименованиеПолное="Штука">шт</БазоваяЕдиница>.
type Unit struct {
	Code          string `xml:"Код,attr,omitempty" json:"Код,omitempty"`
	FullName      string `xml:"НаименованиеПолное,attr,omitempty" json:"НаименованиеПолное,omitempty"`
	International string `xml:"МеждународноеСокращение,attr,omitempty" json:"МеждународноеСокращение,omitempty"`
	Name          string `xml:",chardata" json:"Значение,omitempty"`
}

// Measure is a line's Единица. CML 2.05's schema makes it plain text
// (<Единица>шт</Единица>); 1C's CML 2.08+ and 3.x write elements:
// <Единица><Ид>796 </Ид><НаименованиеКраткое>шт</НаименованиеКраткое><Код>796</Код><НаименованиеПолное>Штука</НаименованиеПолное></Единица>.
// Text holds the plain form; Parse drops the whitespace between elements.
type Measure struct {
	ID            string `xml:"Ид,omitempty" json:"Ид,omitempty"`
	ShortName     string `xml:"НаименованиеКраткое,omitempty" json:"НаименованиеКраткое,omitempty"`
	Code          string `xml:"Код,omitempty" json:"Код,omitempty"`
	FullName      string `xml:"НаименованиеПолное,omitempty" json:"НаименованиеПолное,omitempty"`
	International string `xml:"МеждународноеСокращение,omitempty" json:"МеждународноеСокращение,omitempty"`
	Text          string `xml:",chardata" json:"Значение,omitempty"`
}

// Discount is one discount of a line or of the document. УчтеноВСумме
// says whether the Сумма it belongs to already has it taken off.
type Discount struct {
	Name     string `xml:"Наименование,omitempty" json:"Наименование,omitempty"`
	Sum      string `xml:"Сумма,omitempty" json:"Сумма,omitempty" kramar:"required"`
	Percent  string `xml:"Процент,omitempty" json:"Процент,omitempty"`
	Included string `xml:"УчтеноВСумме,omitempty" json:"УчтеноВСумме,omitempty" kramar:"required"`
}

// Tax is one tax of a line or of the document (НалогВДокументе).
// УчтеноВСумме true: the Сумма it belongs to already holds the tax;
// false: the tax comes on top of it.
type Tax struct {
	Name     string `xml:"Наименование,omitempty" json:"Наименование,omitempty"`
	Included string `xml:"УчтеноВСумме,omitempty" json:"УчтеноВСумме,omitempty" kramar:"required"`
	Excise   string `xml:"Акциз,omitempty" json:"Акциз,omitempty"`
	Sum      string `xml:"Сумма,omitempty" json:"Сумма,omitempty" kramar:"required"`
	Rate     string `xml:"Ставка,omitempty" json:"Ставка,omitempty"`
}

// TaxRate is one СтавкаНалога of a line: the rate only («20», «Без налога»).
type TaxRate struct {
	Name string `xml:"Наименование,omitempty" json:"Наименование,omitempty"`
	Rate string `xml:"Ставка,omitempty" json:"Ставка,omitempty"`
}

// Requisite is a name/value pair of ЗначенияРеквизитов.
type Requisite struct {
	Name  string `xml:"Наименование" json:"Наименование"`
	Value string `xml:"Значение" json:"Значение"`
}

// Requisite names the transform and ModifiedBetween read.
const (
	ReqStatus         = "Статус заказа"
	ReqPaymentMethod  = "Метод оплаты"
	ReqDeliveryMethod = "Способ доставки"
	ReqDeliveryAddr   = "Адрес доставки"
	ReqPaid           = "Заказ оплачен"
	ReqCanceled       = "Отменен"
	ReqFinal          = "Финальный статус"
	ReqModified       = "Дата изменения"
	ReqStatusModified = "Дата изменения статуса"
	ReqItemKind       = "ВидНоменклатуры"
	ReqItemType       = "ТипНоменклатуры"
)

// FindRequisite returns the value of the first requisite named name (case
// and surrounding spaces ignored) and whether there was one.
func FindRequisite(list []Requisite, name string) (string, bool) {
	for _, r := range list {
		if equalFold(r.Name, name) {
			return trim(r.Value), true
		}
	}
	return "", false
}

// Key is the document's id for de-duplication: Ид, or Номер when Ид is empty.
func (d *Document) Key() string {
	if id := trim(d.ID); id != "" {
		return id
	}
	return trim(d.Number)
}

func trim(s string) string { return strings.TrimSpace(s) }

func equalFold(a, b string) bool { return strings.EqualFold(trim(a), trim(b)) }
