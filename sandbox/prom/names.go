package prom

import (
	"net/http"
	"strings"

	wire "github.com/kramar/kramar/extractors/prom"
)

// Reference data for the generator: goods and the store's configured
// options and statuses.

// goods are catalogue templates; weighed goods are sold by the kilogram,
// so their quantities can be fractional.
type good struct {
	name    string
	unit    string
	weighed bool
	minUAH  int64
	maxUAH  int64
}

var goods = []good{
	{"Чай зелений китайський", "шт.", false, 60, 450},
	{"Кава мелена арабіка", "шт.", false, 120, 900},
	{"Мед гречаний", "кг", true, 180, 420},
	{"Горіхи волоські очищені", "кг", true, 220, 480},
	{"Сир твердий витриманий", "кг", true, 350, 950},
	{"Крупа гречана", "кг", true, 40, 90},
	{"Футболка бавовняна", "шт.", false, 250, 900},
	{"Навушники бездротові", "шт.", false, 600, 4500},
	{"Чохол для телефону", "шт.", false, 90, 600},
	{"Кабель USB-C 1 м", "шт.", false, 70, 350},
	{"Павербанк 10000 мАг", "шт.", false, 700, 2200},
	{"Рюкзак міський", "шт.", false, 800, 3500},
	{"Пляшка для води 750 мл", "шт.", false, 150, 600},
	{"Свічка ароматична", "шт.", false, 120, 480},
	{"Шкарпетки вовняні", "пара", false, 80, 250},
	{"Фарба акрилова 0,75 л", "уп.", false, 190, 640},
	{"Кавоварка гейзерна", "шт.", false, 900, 3200},
	{"Електрочайник 1,7 л", "шт.", false, 850, 2900},
	{"Ноутбук 15,6\"", "шт.", false, 18000, 42000},
	{"Смартфон 128 ГБ", "шт.", false, 7000, 25000},
}

var variants = []string{"", "чорний", "білий", "синій", "зелений", "XL", "M", "преміум"}

type optionSpec struct {
	id      int64
	name    string
	service string // shipping_service; "" = no carrier integration, provider data is null
}

// deliveryOptions and paymentOptions are what every sandbox store configured.
var deliveryOptions = []optionSpec{
	{101, "Нова Пошта", "nova_poshta"},
	{102, "Укрпошта", "ukrposhta"},
	{103, "Justin", "justin"},
	{104, "Делівері", "delivery_auto"},
	{105, "Самовивіз", ""},
	{106, "Кур'єрська доставка", ""},
}

const promPayment = "Пром-оплата"

var paymentOptions = []optionSpec{
	{201, "Оплата при отриманні", ""},
	{202, promPayment, ""},
	{203, "Безготівковий розрахунок", ""},
	{204, "Накладений платіж", ""},
}

// statusNames are the Ukrainian labels, the ones kramar asks for
// (X-LANGUAGE: uk); no public source confirms them.
var statusNames = map[string]string{
	"pending":               "Нове",
	"received":              "Прийняте",
	"delivered":             "Виконане",
	"canceled":              "Скасоване",
	"paid":                  "Оплачене",
	"draft":                 "Чернетка",
	"waiting_loan_approval": "Очікує схвалення кредиту",
	"loan_rejected":         "Кредит відхилено",
	"loan_approved":         "Кредит схвалено",
}

// statusNamesRU are what Prom answers without X-LANGUAGE (or with ru):
// «Новый» in a real order dump (ffers/cetwer12 prom_dict.py), «Выполнен» in
// a third-party order type file, «Принят» in a live-verified integration
// (the one with update_prom_order_status); the others follow their form.
var statusNamesRU = map[string]string{
	"pending":               "Новый",
	"received":              "Принят",
	"delivered":             "Выполнен",
	"canceled":              "Отменен",
	"paid":                  "Оплачен",
	"draft":                 "Черновик",
	"waiting_loan_approval": "Ожидает одобрения кредита",
	"loan_rejected":         "Кредит отклонен",
	"loan_approved":         "Кредит одобрен",
}

// customStatus is one of a company's own statuses. Orders in it carry
// status "custom-<id>" and the label as status_name, in the company's own
// words whatever the answer language: the real dump has custom-137639 /
// «Підтверджено» beside a base status named in Russian.
type customStatus struct {
	id    int64
	label string
}

// customStatuses are what every sandbox company defined; 137639 is the id
// of the real dump.
var customStatuses = []customStatus{
	{137639, "Підтверджено"},
	{137640, "Очікує передоплату"},
	{137641, "Передано на склад"},
}

// statusLabel is the Ukrainian label of a base or custom status; false for
// a status the company does not have.
func statusLabel(status string) (string, bool) {
	if name, ok := statusNames[status]; ok {
		return name, true
	}
	if id, ok := wire.CustomStatusID(status); ok {
		for _, c := range customStatuses {
			if c.id == id {
				return c.label, true
			}
		}
	}
	return "", false
}

// Answer languages (X-LANGUAGE). Without the header Prom answers in Russian.
const (
	langUK = "uk"
	langRU = "ru"
)

// requestLanguage is the answer language r asks for: uk, or ru for
// anything else (no header, ru, or a language the sandbox does not speak).
func requestLanguage(r *http.Request) string {
	if strings.EqualFold(strings.TrimSpace(r.Header.Get(wire.LanguageHeader)), langUK) {
		return langUK
	}
	return langRU
}

// localName is a base status's label in lang; custom labels do not change.
func localName(status, lang string) (string, bool) {
	if lang != langRU {
		return "", false
	}
	name, ok := statusNamesRU[status]
	return name, ok
}

// cancellationReasons covers both published sets (the official one in
// evo-company/company-api-example php/api_php_example.php, and the
// newer one with payment_not_received); the value is the title shown.
var cancellationReasons = map[string]string{
	"not_available":           "Немає в наявності",
	"price_changed":           "Змінилася ціна",
	"buyers_request":          "На прохання покупця",
	"not_enough_fields":       "Недостатньо даних",
	"duplicate":               "Дублікат замовлення",
	"invalid_phone_number":    "Невірний номер телефону",
	"less_than_minimal_price": "Сума менша за мінімальну",
	"another":                 "Інша причина",
	"payment_not_received":    "Оплату не отримано",
	"no_product_variants":     "Немає потрібного варіанту товару",
}
