package ttn

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		carrier, in, want, warn, err string
	}{
		{NovaPoshta, "20451136820411", "20451136820411", "", ""},
		{NovaPoshta, "2045 1136 8204 11", "20451136820411", "", ""},
		{NovaPoshta, "59000123456789", "59000123456789", "", ""},
		{NovaPoshta, "10000123456789", "10000123456789", "unusual", ""},
		{NovaPoshta, "NovaPoshta12345678901234NPG", "NovaPoshta12345678901234NPG", "", ""},
		{NovaPoshta, "novaposhta12345678901234npg", "novaposhta12345678901234npg", "", ""},
		{NovaPoshta, "2045113682041", "", "", "want 14 digits"},
		{NovaPoshta, "204511368204111", "", "", "want 14 digits"},
		{NovaPoshta, "3045113682041X", "", "", "want 14 digits"},
		{NovaPoshta, "30451136820411", "", "", "not a Nova Poshta series"},
		{NovaPoshta, "", "", "", "empty"},
		{Ukrposhta, "0500128254610", "0500128254610", "", ""},
		{Ukrposhta, "0123456789123", "0123456789123", "", ""},
		{Ukrposhta, "RA067022878UA", "RA067022878UA", "", ""},
		{Ukrposhta, "ra067022878ua", "RA067022878UA", "", ""},
		{Ukrposhta, "CA410342249UA", "CA410342249UA", "", ""}, // the S10 worked example: 41034224 → 9
		{Ukrposhta, "CA410342241UA", "", "", "check digit"},
		{Ukrposhta, "05001282546101", "", "", "want 13 digits"},
		{Ukrposhta, "050012825461", "", "", "want 13 digits"},
		{Ukrposhta, "R067022878UA", "", "", "want 13 digits"},
		{"meest", "123", "", "", "no ТТН rules"},
	} {
		got, err := Check(c.carrier, c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Check(%s, %q) = %+v, %v; want an error with %q", c.carrier, c.in, got, err, c.err)
			}
		case err != nil || got.Number != c.want || !strings.Contains(got.Warning, c.warn) || (c.warn == "" && got.Warning != ""):
			t.Errorf("Check(%s, %q) = %+v, %v; want %q (warning %q)", c.carrier, c.in, got, err, c.want, c.warn)
		}
	}
}

// The S10 special cases: a remainder giving 10 becomes 0, giving 11 becomes 5.
func TestS10SpecialCheckDigits(t *testing.T) {
	for serial, want := range map[string]byte{"41034224": '9', "00000000": '5', "00060000": '0'} {
		if got := s10CheckDigit(serial); got != want {
			t.Errorf("s10CheckDigit(%s) = %c, want %c", serial, got, want)
		}
	}
}
