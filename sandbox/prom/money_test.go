package prom

import "testing"

func TestFormatMoney(t *testing.T) {
	cases := []struct {
		kop        int64
		grn, plain string
	}{
		{123450, "1 234,50 грн", "1234.5"},
		{45000, "450 грн", "450"},
		{45050, "450,50 грн", "450.5"},
		{5, "0,05 грн", "0.05"},
		{99, "0,99 грн", "0.99"},
		{123456789, "1 234 567,89 грн", "1234567.89"},
		{100000, "1 000 грн", "1000"},
		{-2550, "-25,50 грн", "-25.5"},
	}
	for _, c := range cases {
		if got := formatMoney(c.kop, styleHryvnia); got != c.grn {
			t.Errorf("hryvnia %d = %q, want %q", c.kop, got, c.grn)
		}
		if got := formatMoney(c.kop, stylePlain); got != c.plain {
			t.Errorf("plain %d = %q, want %q", c.kop, got, c.plain)
		}
	}
}
