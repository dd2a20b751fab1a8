// Package cml reads CommerceML 2 order documents (the «Файл заказов» of
// Zakupka.com and of most 1C-integrated shops) and speaks the 1C exchange
// protocol (?type=sale&mode=checkauth|init|query|success). Its wire types
// are the one place the CML order format lives: the transform (JSON of
// these types), the sandbox (XML of these types) and `kramar inspect` use them.
//
// Facts and their confidence: horoshop-epicentr-feeds-others.md §4.2.
package cml

import (
	"encoding/xml"
	"strings"
)

// Info is the root element, КоммерческаяИнформация. CML 3.x wraps each
// document in a Контейнер; Parse folds those into Documents.
type Info struct {
	XMLName       xml.Name   `xml:"КоммерческаяИнформация" json:"-"`
	SchemaVersion string     `xml:"ВерсияСхемы,attr,omitempty" json:"ВерсияСхемы,omitempty"`
	GeneratedAt   string     `xml:"ДатаФормирования,attr,omitempty" json:"ДатаФормирования,omitempty"`
	Documents     []Document `xml:"Документ" json:"Документ"`
	Containers    []Document `xml:"Контейнер>Документ,omitempty" json:"-"`
}

// Document is one order (ХозОперация «Заказ товара»). Every value is kept
// as the text the shop wrote: money and quantities as decimal strings
// (comma or dot), dates in the shop's local time.
type Document struct {
	ID             string         `xml:"Ид" json:"Ид"`
	Number         string         `xml:"Номер,omitempty" json:"Номер,omitempty"`
	Date           string         `xml:"Дата,omitempty" json:"Дата,omitempty"`
	Time           string         `xml:"Время,omitempty" json:"Время,omitempty"`
	Operation      string         `xml:"ХозОперация,omitempty" json:"ХозОперация,omitempty"`
	Role           string         `xml:"Роль,omitempty" json:"Роль,omitempty"`
	Currency       string         `xml:"Валюта,omitempty" json:"Валюта,omitempty"`
	Rate           string         `xml:"Курс,omitempty" json:"Курс,omitempty"`
	Sum            string         `xml:"Сумма" json:"Сумма"`
	Counterparties []Counterparty `xml:"Контрагенты>Контрагент,omitempty" json:"Контрагенты,omitempty"`
	Comment        string         `xml:"Комментарий,omitempty" json:"Комментарий,omitempty"`
	Payments       []Payment      `xml:"Оплаты>Оплата,omitempty" json:"Оплаты,omitempty"`
	Items          []Item         `xml:"Товары>Товар,omitempty" json:"Товары,omitempty"`
	Requisites     []Requisite    `xml:"ЗначенияРеквизитов>ЗначениеРеквизита,omitempty" json:"ЗначенияРеквизитов,omitempty"`
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
type Item struct {
	ID         string      `xml:"Ид,omitempty" json:"Ид,omitempty"`
	CatalogID  string      `xml:"ИдКаталога,omitempty" json:"ИдКаталога,omitempty"`
	Article    string      `xml:"Артикул,omitempty" json:"Артикул,omitempty"`
	Name       string      `xml:"Наименование" json:"Наименование"`
	Unit       *Unit       `xml:"БазоваяЕдиница,omitempty" json:"БазоваяЕдиница,omitempty"`
	Discounts  []Discount  `xml:"Скидки>Скидка,omitempty" json:"Скидки,omitempty"`
	Price      string      `xml:"ЦенаЗаЕдиницу,omitempty" json:"ЦенаЗаЕдиницу,omitempty"`
	Quantity   string      `xml:"Количество" json:"Количество"`
	Sum        string      `xml:"Сумма,omitempty" json:"Сумма,omitempty"`
	Requisites []Requisite `xml:"ЗначенияРеквизитов>ЗначениеРеквизита,omitempty" json:"ЗначенияРеквизитов,omitempty"`
}

// Unit is БазоваяЕдиница: <БазоваяЕдиница Код="796" НаименованиеПолное="Штука">шт</БазоваяЕдиница>.
type Unit struct {
	Code          string `xml:"Код,attr,omitempty" json:"Код,omitempty"`
	FullName      string `xml:"НаименованиеПолное,attr,omitempty" json:"НаименованиеПолное,omitempty"`
	International string `xml:"МеждународноеСокращение,attr,omitempty" json:"МеждународноеСокращение,omitempty"`
	Name          string `xml:",chardata" json:"Значение,omitempty"`
}

// Discount is one discount of a line; УчтеноВСумме says whether the
// line's Сумма already has it taken off.
type Discount struct {
	Name     string `xml:"Наименование,omitempty" json:"Наименование,omitempty"`
	Sum      string `xml:"Сумма,omitempty" json:"Сумма,omitempty"`
	Included string `xml:"УчтеноВСумме,omitempty" json:"УчтеноВСумме,omitempty"`
}

// Requisite is a name/value pair of ЗначенияРеквизитов.
type Requisite struct {
	Name  string `xml:"Наименование" json:"Наименование"`
	Value string `xml:"Значение" json:"Значение"`
}

// Requisite names the transform and ModifiedBetween read (§4.2).
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
