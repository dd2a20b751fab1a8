package decode

import (
	"strings"
	"testing"
)

func TestSkipStringShortLongAndEscaped(t *testing.T) {
	long := strings.Repeat("я", 40)
	for in, want := range map[string]int{
		`"abc",`:                 5,
		`"a\"b"x`:                6,
		`"a\\"x`:                 5,
		`"` + long + `\"` + `"z`: len(long) + 4,
		`"` + long + `\\` + `"z`: len(long) + 4,
		`"` + long + `\\\"x"`:    len(long) + 7,
		`"unclosed`:              -1,
		`"` + long:               -1,
		`"` + long + `\"`:        -1,
		`"x\`:                    -1,
	} {
		if got := SkipString([]byte(in), 0); got != want {
			t.Errorf("SkipString(%q) = %d, want %d", in, got, want)
		}
	}
}
