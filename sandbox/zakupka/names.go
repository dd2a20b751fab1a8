package zakupka

// Reference data for the generator: the Russian-language names, places and
// options Zakupka's cabinet and 1C exports carry beside Ukrainian ones
// (sandbox/kit/fake). Apostrophes are ASCII: windows-1251 has no ʼ, and
// the files must survive that encoding exactly.
var (
	russianMale       = []string{"Алексей", "Дмитрий", "Сергей", "Николай", "Игорь", "Павел", "Андрей", "Виктор"}
	russianFemale     = []string{"Елена", "Наталья", "Татьяна", "Светлана", "Ольга", "Екатерина", "Анна", "Ирина"}
	russianMalePatr   = []string{"Алексеевич", "Дмитриевич", "Сергеевич", "Николаевич"}
	russianFemalePatr = []string{"Алексеевна", "Дмитриевна", "Сергеевна", "Николаевна"}
	russianLast       = []string{"Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Морозов", "Волков", "Козлов"}
	cities            = []string{"Киев", "Львов", "Харьков", "Одесса", "Днепр", "Винница", "Полтава", "Запорожье"}
	streets           = []string{"ул. Садовая", "ул. Центральная", "пр. Мира", "ул. Шевченко", "ул. Победы", "ул. Франко"}
	comments          = []string{"Позвоните перед отправкой", "Передзвоніть після 18:00", "Нужен чек", "Упакуйте как подарок"}
	deliveries        = []string{"Новая Почта", "Укрпочта", "Meest Express", "Самовывоз"}
	payments          = []string{"Наложенный платеж", "Оплата на карту", "Безналичный расчет"}
	goods             = []struct {
		name, article  string
		minUAH, maxUAH int64
	}{
		{"Термос 1 л", "TR", 250, 800},
		{"Набор ножей кухонных", "KN", 400, 2200},
		{"Рюкзак туристический 40 л", "BP", 900, 3500},
		{"Фонарик налобный", "FL", 150, 600},
		{"Коврик для йоги", "YM", 300, 1200},
		{"Сковорода чугунная 26 см", "SK", 600, 1900},
		{"Плед флисовый", "PL", 280, 950},
		{"Гирлянда светодиодная 10 м", "GR", 120, 450},
		{"Настольная лампа", "LM", 350, 1600},
		{"Органайзер для инструментов", "OR", 200, 700},
	}
)
