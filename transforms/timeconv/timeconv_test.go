package timeconv

import (
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{"2024-05-14T10:21:33.123456+00:00", time.UTC, "2024-05-14T10:21:33Z"},
		{"2024-05-14T10:21:33.999999+03:00", time.UTC, "2024-05-14T07:21:33Z"}, // truncated, not rounded
		{"2024-05-14T10:21:33+03:00", Kyiv, "2024-05-14T07:21:33Z"},            // own offset beats loc
		{"2024-05-14T10:21:33Z", Kyiv, "2024-05-14T10:21:33Z"},
		{"2024-05-14T10:21:33.5Z", time.UTC, "2024-05-14T10:21:33Z"},
		{"2024-05-14 10:21:33+0300", time.UTC, "2024-05-14T07:21:33Z"},
		{"2024-05-14 10:21:33", time.UTC, "2024-05-14T10:21:33Z"}, // Prom: naive is UTC
		{" 2024-05-14 10:21:33 ", time.UTC, "2024-05-14T10:21:33Z"},
		{"2024-05-14 10:21:33.750", time.UTC, "2024-05-14T10:21:33Z"},
		{"2024-05-14T10:21:33", time.UTC, "2024-05-14T10:21:33Z"},
		{"2024-05-14 10:21:33", Kyiv, "2024-05-14T07:21:33Z"}, // summer, +03:00
		{"2024-01-14 10:21:33", Kyiv, "2024-01-14T08:21:33Z"}, // winter, +02:00
		{"2024-05-14 10:21:33", nil, "2024-05-14T10:21:33Z"},
	}
	for _, c := range cases {
		got, err := Parse(c.in, c.loc)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(utc(c.want)) || got.Location() != time.UTC {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "yesterday", "2024-05-14", "14.05.2024 10:21", "2024-13-01 00:00:00", "2024-05-14 25:00:00", "1715682093"} {
		if got, err := Parse(in, time.UTC); err == nil {
			t.Errorf("Parse(%q) = %s, want error", in, got)
		}
	}
}

// Kyiv switches at 01:00 UTC on the last Sundays of March and October.
func TestKyivDST(t *testing.T) {
	cases := []struct{ name, local, want string }{
		// 2024-03-31: 03:00 EET → 04:00 EEST.
		{"before spring gap", "2024-03-31 02:59:59", "2024-03-31T00:59:59Z"},
		{"in spring gap: pre-switch offset", "2024-03-31 03:00:00", "2024-03-31T01:00:00Z"},
		{"in spring gap: pre-switch offset", "2024-03-31 03:30:00", "2024-03-31T01:30:00Z"},
		{"after spring gap", "2024-03-31 04:00:00", "2024-03-31T01:00:00Z"},
		{"after spring gap", "2024-03-31 04:30:00", "2024-03-31T01:30:00Z"},
		// 2024-10-27: 04:00 EEST → 03:00 EET; 03:00–03:59:59 happens twice.
		{"before overlap", "2024-10-27 02:59:59", "2024-10-26T23:59:59Z"},
		{"overlap start: first occurrence", "2024-10-27 03:00:00", "2024-10-27T00:00:00Z"},
		{"overlap: first occurrence", "2024-10-27 03:30:00", "2024-10-27T00:30:00Z"},
		{"overlap end: first occurrence", "2024-10-27 03:59:59", "2024-10-27T00:59:59Z"},
		{"after overlap", "2024-10-27 04:00:00", "2024-10-27T02:00:00Z"},
		// 2025 switches: 30 March, 26 October.
		{"2025 gap", "2025-03-30 03:15:00", "2025-03-30T01:15:00Z"},
		{"2025 overlap", "2025-10-26 03:15:00", "2025-10-26T00:15:00Z"},
	}
	for _, c := range cases {
		got, err := Parse(c.local, Kyiv)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !got.Equal(utc(c.want)) {
			t.Errorf("%s: %s Kyiv = %s, want %s", c.name, c.local, got.Format(time.RFC3339), c.want)
		}
	}
}

func TestFormatKyivWritesTheWallClock(t *testing.T) {
	for in, want := range map[string]string{
		"2024-01-15T10:00:00Z": "2024-01-15 12:00:00", // EET, +2
		"2024-07-15T10:00:00Z": "2024-07-15 13:00:00", // EEST, +3
	} {
		if got := FormatKyiv(utc(in), "2006-01-02 15:04:05"); got != want {
			t.Errorf("FormatKyiv(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestInLocationIgnoresOwnZone(t *testing.T) {
	wall := time.Date(2024, 7, 1, 12, 0, 0, 900, time.FixedZone("X", 5*3600))
	if got := InLocation(wall, Kyiv); !got.Equal(utc("2024-07-01T09:00:00Z")) {
		t.Errorf("got %s", got)
	}
}

func TestModifiedFallsBackToCreated(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, s := range []string{"", "  ", "not a time"} {
		if got := Modified(s, Kyiv, created); !got.Equal(created) {
			t.Errorf("Modified(%q) = %v, want the creation time", s, got)
		}
	}
	if got := Modified("2026-01-02 12:00:00", Kyiv, created); !got.Equal(time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Modified = %v", got)
	}
}
