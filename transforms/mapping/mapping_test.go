package mapping

import "testing"

func TestLookup(t *testing.T) {
	table := map[string]string{
		"pending":        "Новий",
		" Нова Пошта ":   "НП",
		"Оплата карткою": "Карта",
		"Paid":           "Оплачено (велика)",
		"paid":           "Оплачено",
		"  ":             "blank key",
	}
	cases := []struct {
		key, want string
		ok        bool
	}{
		{"pending", "Новий", true},
		{"PENDING", "Новий", true},
		{"  pending\t", "Новий", true},
		{"нова пошта", "НП", true},
		{"ОПЛАТА КАРТКОЮ ", "Карта", true},
		{"paid", "Оплачено", true},          // exact wins
		{"Paid", "Оплачено (велика)", true}, // exact wins
		{"PAID", "Оплачено (велика)", true}, // fold: smallest key "Paid" < "paid"
		{"waiting_loan_approval", "", false},
		{"", "", false},
		{"  ", "", false},
	}
	for _, c := range cases {
		got, ok := Lookup(table, c.key)
		if got != c.want || ok != c.ok {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", c.key, got, ok, c.want, c.ok)
		}
	}
	if got, ok := Lookup(nil, "pending"); got != "" || ok {
		t.Errorf("nil table: %q, %v", got, ok)
	}
}

func TestFirst(t *testing.T) {
	table := map[string]string{"123": "by id", "Самовивіз": "by name"}
	if got, _ := First(table, "Самовивіз", "123"); got != "by name" {
		t.Errorf("got %q", got)
	}
	if got, _ := First(table, "Кур'єр", "123"); got != "by id" {
		t.Errorf("got %q", got)
	}
	if got, ok := First(table, "x", "y"); ok || got != "" {
		t.Errorf("got %q, %v", got, ok)
	}
}

func TestOptionByNameThenID(t *testing.T) {
	table := map[string]string{"123": "by id", "Самовивіз": "by name", "0": "never"}
	for _, c := range []struct {
		name string
		id   int64
		want string
	}{{"Самовивіз", 123, "by name"}, {"Кур'єр", 123, "by id"}, {"Кур'єр", 0, ""}} {
		if got, _ := Option(table, c.name, c.id); got != c.want {
			t.Errorf("Option(%q, %d) = %q, want %q", c.name, c.id, got, c.want)
		}
	}
}
