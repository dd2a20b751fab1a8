package fake

import (
	"strconv"
	"strings"
)

// Amount writes kopecks as a short dot decimal, the way decimal.String
// does: 45050 → "450.5", 45000 → "450", 5 → "0.05". Hand-rolled because
// seeding writes every sum of every order.
func Amount(kop int64) string {
	sign := ""
	if kop < 0 {
		sign, kop = "-", -kop
	}
	whole := strconv.FormatInt(kop/100, 10)
	switch frac := kop % 100; {
	case frac == 0:
		return sign + whole
	case frac%10 == 0:
		return sign + whole + "." + strconv.FormatInt(frac/10, 10)
	case frac < 10:
		return sign + whole + ".0" + strconv.FormatInt(frac, 10)
	default:
		return sign + whole + "." + strconv.FormatInt(frac, 10)
	}
}

// Cents writes kopecks with both decimals: 64000 → "640.00".
func Cents(kop int64) string {
	sign := ""
	if kop < 0 {
		sign, kop = "-", -kop
	}
	return sign + strconv.FormatInt(kop/100, 10) + "." + strconv.FormatInt(100+kop%100, 10)[1:]
}

// Kopecks reads a generated sum back («319.00», «319,5», «2») as
// hundredths; generated sums never carry more than two decimals.
func Kopecks(s string) int64 {
	whole, frac, _ := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	return w*100 + f
}
