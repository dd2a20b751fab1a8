package zakupka

import "strings"

// Reference data for the generator. Apostrophes are ASCII: windows-1251
// has no ʼ, and the files must survive that encoding exactly.

type nameSet struct {
	male, female, malePatr, femalePatr, last []string
	// feminine turns a surname into its female form.
	feminine func(string) string
}

var nameSets = []nameSet{
	{ // Ukrainian
		male:       []string{"Тарас", "Остап", "Богдан", "Ярослав", "Мар'ян", "Назар", "Степан", "Левко"},
		female:     []string{"Мар'яна", "Соломія", "Оксана", "Зоряна", "Ганна", "Уляна", "Ірина", "Леся"},
		malePatr:   []string{"Тарасович", "Богданович", "Степанович", "Ігорович"},
		femalePatr: []string{"Тарасівна", "Богданівна", "Степанівна", "Ігорівна"},
		last:       []string{"Гнатюк", "Ковальчук", "Сидоренко", "Бондар", "Заболотний", "Кравець", "Дем'яненко", "Коваленко-Шевчук"},
		feminine:   ukrainianFeminine,
	},
	{ // Russian
		male:       []string{"Алексей", "Дмитрий", "Сергей", "Николай", "Игорь", "Павел", "Андрей", "Виктор"},
		female:     []string{"Елена", "Наталья", "Татьяна", "Светлана", "Ольга", "Екатерина", "Анна", "Ирина"},
		malePatr:   []string{"Алексеевич", "Дмитриевич", "Сергеевич", "Николаевич"},
		femalePatr: []string{"Алексеевна", "Дмитриевна", "Сергеевна", "Николаевна"},
		last:       []string{"Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Морозов", "Волков", "Козлов"},
		feminine:   func(s string) string { return s + "а" },
	},
}

// ukrainianFeminine: -ий → -а (Заболотний → Заболотна); -енко, -ук, -ар,
// -ець and the like are the same for both.
func ukrainianFeminine(s string) string {
	if strings.HasSuffix(s, "ний") {
		return strings.TrimSuffix(s, "ий") + "а"
	}
	return s
}

var (
	cities     = []string{"Киев", "Львов", "Харьков", "Одесса", "Днепр", "Винница", "Полтава", "Запорожье"}
	streets    = []string{"ул. Садовая", "ул. Центральная", "пр. Мира", "ул. Шевченко", "ул. Победы", "ул. Франко"}
	phoneCodes = []string{"50", "63", "66", "67", "68", "73", "93", "95", "97", "99"}
	comments   = []string{"Позвоните перед отправкой", "Передзвоніть після 18:00", "Нужен чек", "Упакуйте как подарок"}
	deliveries = []string{"Новая Почта", "Укрпочта", "Meest Express", "Самовывоз"}
	payments   = []string{"Наложенный платеж", "Оплата на карту", "Безналичный расчет"}
	goods      = []struct {
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
