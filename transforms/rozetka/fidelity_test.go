package rozetka

import (
	"testing"
	"time"
)

// seller_comment[].created: Unix seconds (orders.md L666, a number the
// decoder hands over as its digits) or a Kyiv wall time (L798).
func TestSellerNoteTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1490203200":          time.Date(2017, 3, 22, 17, 20, 0, 0, time.UTC),
		" 1741077000 ":        time.Date(2025, 3, 4, 8, 30, 0, 0, time.UTC),
		"2020-03-18 12:52:26": time.Date(2020, 3, 18, 10, 52, 26, 0, time.UTC), // Kyiv winter time, UTC+2
		"2022-10-01 10:30:12": time.Date(2022, 10, 1, 7, 30, 12, 0, time.UTC),  // summer time, UTC+3
	} {
		got, err := SellerNoteTime(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("SellerNoteTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "вчора", "99999999999999999999"} {
		if _, err := SellerNoteTime(bad); err == nil {
			t.Errorf("SellerNoteTime(%q) accepted", bad)
		}
	}
}
