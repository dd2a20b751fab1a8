package people

import "testing"

func TestNormalizePhone(t *testing.T) {
	cases := map[string]string{
		"0501234567":          "+380501234567",
		"380501234567":        "+380501234567",
		"+380501234567":       "+380501234567",
		"+38 (050) 123-45-67": "+380501234567",
		"8 (050) 123 45 67":   "+380501234567",
		"00380501234567":      "+380501234567",
		"+48 601 234 567":     "+48601234567",
		"+1 (212) 555-0100":   "+12125550100",
		"12345":               "+12345",
		"":                    "",
		"немає":               "",
	}
	for in, want := range cases {
		if got := NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecipientComment(t *testing.T) {
	buyer := Person{LastName: "Петренко", FirstName: "Мар'яна", MiddleName: "Іванівна", Phone: "+380501234567"}
	cases := []struct {
		name      string
		recipient Person
		want      string
	}{
		{"empty recipient", Person{}, ""},
		{"same person", buyer, ""},
		{"same, other spelling", Person{LastName: " ПЕТРЕНКО ", FirstName: "марʼяна", MiddleName: "іванівна", Phone: "050 123 45 67"}, ""},
		{"same, middle name missing", Person{LastName: "Петренко", FirstName: "Мар’яна", Phone: "0501234567"}, ""},
		{"other phone", Person{LastName: "Петренко", FirstName: "Мар'яна", Phone: "0671112233"}, "Отримувач: Петренко Мар'яна, +380671112233"},
		{"other person", Person{LastName: "Коваль", FirstName: "Іван", MiddleName: "Петрович", Phone: "+38 (067) 111-22-33"}, "Отримувач: Коваль Іван Петрович, +380671112233"},
		{"other middle name", Person{LastName: "Петренко", FirstName: "Мар'яна", MiddleName: "Петрівна", Phone: "+380501234567"}, "Отримувач: Петренко Мар'яна Петрівна, +380501234567"},
		{"name only", Person{LastName: "Коваль", FirstName: "Іван"}, "Отримувач: Коваль Іван"},
		{"phone only", Person{Phone: "0671112233"}, "Отримувач: +380671112233"},
	}
	for _, c := range cases {
		if got := RecipientComment(buyer, c.recipient); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
