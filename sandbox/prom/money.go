package prom

import (
	"strconv"
	"strings"

	"github.com/kramar/kramar/sandbox/kit/fake"
)

// moneyStyle is how one order writes its amounts; real Prom data mixes them,
// so the sandbox does too.
type moneyStyle int

const (
	styleHryvnia moneyStyle = iota // "1 234,50 грн", "450 грн"
	stylePlain                     // "1234.5", "450"
)

// formatMoney renders kopecks exactly in the given style.
func formatMoney(kop int64, style moneyStyle) string {
	if style == stylePlain {
		return fake.Amount(kop)
	}
	neg := kop < 0
	if neg {
		kop = -kop
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(groupThousands(strconv.FormatInt(kop/100, 10)))
	if frac := kop % 100; frac != 0 {
		b.WriteByte(',')
		if frac < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.FormatInt(frac, 10))
	}
	b.WriteString(" грн")
	return b.String()
}

// groupThousands puts a space between groups of three digits: "1234" → "1 234".
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
