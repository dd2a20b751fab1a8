package fake

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestAmountsAsDecimalWritesThemAndBack(t *testing.T) {
	for _, kop := range []int64{123450, 45000, 45050, 5, 99, 123456789, 100000, -2550, 0, 7} {
		if want := decimal.New(kop, -2).String(); Amount(kop) != want {
			t.Errorf("Amount(%d) = %q, decimal says %q", kop, Amount(kop), want)
		}
		if want := decimal.New(kop, -2).StringFixed(2); Cents(kop) != want {
			t.Errorf("Cents(%d) = %q, want %q", kop, Cents(kop), want)
		}
		if kop >= 0 && (Kopecks(Amount(kop)) != kop || Kopecks(Cents(kop)) != kop) {
			t.Errorf("Kopecks does not read %d back", kop)
		}
	}
	if Kopecks(" 319,5 ") != 31950 {
		t.Error("a comma sum")
	}
}
