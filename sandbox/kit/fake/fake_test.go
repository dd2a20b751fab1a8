package fake

import (
	"strings"
	"testing"
	"time"
)

func TestSameSeedSameData(t *testing.T) {
	a, b := NewPerson(Rand(7, 1, 2, 3)), NewPerson(Rand(7, 1, 2, 3))
	if a != b {
		t.Fatalf("%+v != %+v", a, b)
	}
	if c := NewPerson(Rand(7, 1, 2, 4)); c == a && NewPerson(Rand(7, 2, 2, 3)) == a {
		t.Fatal("other items draw the same person")
	}
	if p := a.Phone(); !strings.HasPrefix(p, "+380") || len(p) != 13 {
		t.Fatalf("phone %q", p)
	}
	if l := a.PhoneLocal(); len(l) != len("+38 (067) 123-45-67") {
		t.Fatalf("local phone %q", l)
	}
	if e := a.Email(Rand(1, 0, 0, 0)); !strings.Contains(e, "@example.") || strings.ContainsAny(e, "ʼ'") {
		t.Fatalf("email %q", e)
	}
}

func TestSeededTimes(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	prev := now.Add(-time.Hour * 24 * 8)
	for i := range 50 {
		created, modified := Seeded(Rand(1, 0, 1, i), now, 7*24*time.Hour, i, 50, 3)
		if created.Before(prev) || created.After(now) || modified.Before(created) || modified.After(now) {
			t.Fatalf("item %d: created %v modified %v", i, created, modified)
		}
		prev = created
	}
}
