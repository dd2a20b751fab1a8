// Package ttn checks waybill numbers (ТТН / ЕН and postal barcodes) before
// they are pushed to a marketplace: a mistyped number pushed to Rozetka or
// Prom makes the buyer's tracking wrong, so it is refused with a reason.
// Nova Poshta series as RomaBilka/parcel-tracking detects them
// (pkg/determine-delivery/carriers), Ukrposhta's by the UPU S10 standard.
package ttn

import (
	"fmt"
	"regexp"
	"strings"
)

// Carriers.
const (
	NovaPoshta = "nova_poshta"
	Ukrposhta  = "ukrposhta"
)

// Result is a valid number in its canonical form, with a warning when the
// number is well formed but unusual.
type Result struct {
	Number  string
	Warning string
}

var (
	npDomestic = regexp.MustCompile(`^\d{14}$`)
	npShopping = regexp.MustCompile(`(?i)^NovaPoshta\d{14}NPG$`)
	upDomestic = regexp.MustCompile(`^\d{13}$`)
	upS10      = regexp.MustCompile(`^[A-Z]{2}\d{9}[A-Z]{2}$`)
)

// Check validates number for carrier. Spaces and dashes a person typed are
// dropped; letters of a UPU S10 number are upper-cased.
func Check(carrier, number string) (Result, error) {
	n := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(number))
	if n == "" {
		return Result{}, fmt.Errorf("ТТН is empty")
	}
	switch carrier {
	case NovaPoshta:
		return checkNovaPoshta(n)
	case Ukrposhta:
		return checkUkrposhta(strings.ToUpper(n))
	}
	return Result{}, fmt.Errorf("no ТТН rules for carrier %q", carrier)
}

// checkNovaPoshta: 14 digits, usually starting with 20 or 59 (as in
// RomaBilka/parcel-tracking pkg/determine-delivery/carriers/nova-poshta.go;
// no check digit is known), or an NP Shopping number.
func checkNovaPoshta(n string) (Result, error) {
	switch {
	case npShopping.MatchString(n):
		return Result{Number: n}, nil
	case !npDomestic.MatchString(n):
		return Result{}, fmt.Errorf("Nova Poshta ТТН %q: want 14 digits (like 20451136820411)", n)
	case strings.HasPrefix(n, "20") || strings.HasPrefix(n, "59"):
		return Result{Number: n}, nil
	case n[0] == '1' || n[0] == '5':
		return Result{Number: n, Warning: "an unusual Nova Poshta series (most start with 20 or 59)"}, nil
	}
	return Result{}, fmt.Errorf("Nova Poshta ТТН %q: 14 digits starting with %q is not a Nova Poshta series (20…, 59…)", n, n[:2])
}

// checkUkrposhta: 13 digits domestic, or a UPU S10 international number
// whose check digit must match (s10CheckDigit).
func checkUkrposhta(n string) (Result, error) {
	switch {
	case upDomestic.MatchString(n):
		return Result{Number: n}, nil
	case upS10.MatchString(n):
		if want := s10CheckDigit(n[2:10]); n[10] != want {
			return Result{}, fmt.Errorf("Ukrposhta ТТН %q: the check digit is %c, the serial %s gives %c", n, n[10], n[2:10], want)
		}
		return Result{Number: n}, nil
	}
	return Result{}, fmt.Errorf("Ukrposhta ТТН %q: want 13 digits (like 0500128254610) or an international number like RA067022878UA", n)
}

// s10CheckDigit is the UPU S10 check digit of an 8-digit serial: weights
// 8 6 4 2 3 5 9 7, c = 11 − (sum mod 11), 10 → 0, 11 → 5.
func s10CheckDigit(serial string) byte {
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(serial[i]-'0') * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return '0'
	case 11:
		return '5'
	default:
		return byte('0' + c)
	}
}
