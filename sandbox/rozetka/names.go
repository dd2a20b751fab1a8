package rozetka

// Reference data for the generator.

var (
	goodsBase = []struct {
		name    string
		cat     string
		catID   int64
		minUAH  int64
		maxUAH  int64
		article string
	}{
		{"Пилосос бездротовий", "Пилососи", 80158, 2500, 12000, "VC"},
		{"Мультиварка 5 л", "Мультиварки", 80160, 1400, 5200, "MC"},
		{"Навушники TWS", "Навушники", 80027, 450, 6500, "HP"},
		{"Зарядний пристрій 65 Вт", "Зарядні пристрої", 146229, 350, 1900, "CH"},
		{"Рюкзак для ноутбука", "Рюкзаки", 4630, 600, 3400, "BP"},
		{"Набір каструль", "Каструлі", 4626, 900, 5600, "PT"},
		{"Ковдра двоспальна", "Ковдри", 4631, 700, 2800, "BL"},
		{"Конструктор дитячий", "Конструктори", 100131, 300, 4200, "LG"},
		{"Монітор 27\"", "Монітори", 80089, 6500, 21000, "MN"},
		{"Кросівки бігові", "Кросівки", 1654, 1200, 5400, "SN"},
	}
)

// deliveryService is one carrier of the sandbox; ids are opaque: the
// apidoc examples name id 5 both "Новая Почта" (orders.md L144-145) and
// "Сторонними службами доставки" (deliverymanagement.md L93-94).
// mdm is its mdm_id, a String (deliverymanagement.md L68), "" when the
// list leaves it out as the apidoc example does. Their values are not
// documented; these are made up.
type deliveryService struct {
	id     int64
	name   string
	logo   string
	method int // 1 pickup at a branch, 2 courier
	mdm    string
}

// deliveryServices: ROZETKA Delivery is id 1 — the apidoc ties its carrier
// filter to delivery_id=1 (orders.md L1452) — and shows name_logo
// "octopus" on live orders.
var deliveryServices = []deliveryService{
	{5, "Нова Пошта", "nova-pochta", 1, "np-0001"},
	{4, "Укрпошта", "ukrposhta", 1, ""},
	{37, "Meest", "meest", 1, "meest-0004"},
	{1, "ROZETKA Delivery", "octopus", 1, "rzd-0001"},
	{6, "Нова Пошта (кур'єр)", "nova-pochta", 2, ""},
}

// rozetkaDelivery is the logo of ROZETKA Delivery, whose parcels the
// carrier manages: their waybill is in the `carrier` expand.
const rozetkaDelivery = "octopus"

// paymentMethod is one way to pay; typ is the order's payment_type; the
// list (/market-payment-methods/list) shows description and, for a
// cashless method, the seller's legal entity.
type paymentMethod struct {
	id          int64
	name, typ   string
	title       string
	description string
	legalPerson string
}

var paymentMethods = []paymentMethod{
	{1, "Оплата під час отримання товару", "cash", "Готівкова", "Оплата готівкою або карткою у відділенні під час отримання.", ""},
	{2, "Оплата карткою онлайн", "card", "Безготівкова", "Оплата карткою Visa/Mastercard на сайті.", "ФОП Кузьменко Ольга Степанівна"},
	{3, "Кредит", "credit", "Кредит", "", ""},
}

// The payment statuses (GET /payments/payment-statuses, orders.md L3092)
// the generator uses: status_payment_id, name, title.
var (
	payPaid   = paymentStatus{2, "paid", "Оплачен"}
	payUnpaid = paymentStatus{3, "unpaid", "Ожидает оплаты"}
	payHold   = paymentStatus{7, "hold", "Сумма удержана"}
	payBack   = paymentStatus{8, "returned", "Возвращен"}
)

type paymentStatus struct {
	id          int
	name, title string
}
