// Package timeconv turns marketplace timestamps into the UTC instants the
// warehouse stores. Marketplaces write ISO-8601 with an offset (Prom),
// naive "YYYY-MM-DD HH:MM:SS" in UTC (Prom filters and some Prom data) or
// in Kyiv local time (Rozetka, Horoshop); the caller names the zone a naive
// value is in.
//
// Results are in UTC and truncated (not rounded) to the second, because the
// warehouse column is DateTime.
//
// Kyiv daylight-saving switches (EU rule, at 01:00 UTC) make some naive local
// times odd, and Go's time.Date does not promise which instant it picks, so
// this package decides:
//   - Gap (last Sunday of March, 03:00 → 04:00): a local time that never
//     happened, e.g. 03:30, is read with the offset in force before the
//     switch (+02:00), i.e. 01:30 UTC, the same instant as 04:30 EEST — a
//     clock that was not moved forward yet.
//   - Overlap (last Sunday of October, 04:00 → 03:00): a local time that
//     happened twice, e.g. 03:30, is the FIRST occurrence (summer time,
//     +03:00), i.e. 00:30 UTC.
package timeconv

import (
	"fmt"
	"strings"
	"time"

	"github.com/kramar/kramar/schema/canon"
	_ "time/tzdata" // machines without zoneinfo still know Europe/Kyiv
)

// Kyiv is Europe/Kyiv, the local time of Rozetka and Horoshop.
var Kyiv = mustLoad("Europe/Kyiv")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("timeconv: " + err.Error()) // cannot happen with time/tzdata embedded
	}
	return loc
}

// withOffset are the forms that carry their own zone ('T' or space between
// date and time, optional fraction of any length).
var withOffset = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z0700",
}

// naive are the forms without a zone; they are read in the caller's location.
var naive = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// Parse reads s and returns the UTC instant truncated to the second.
// A value without an offset is local time in loc.
func Parse(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	for _, layout := range withOffset {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Second), nil
		}
	}
	for _, layout := range naive {
		if t, err := time.Parse(layout, s); err == nil {
			return InLocation(t, loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is neither ISO-8601 with an offset nor \"YYYY-MM-DD HH:MM:SS\"", s)
}

// InLocation reads the wall clock of naive (its own zone is ignored) as local
// time in loc and returns the UTC instant truncated to the second, resolving
// DST gaps and overlaps as the package comment says.
func InLocation(naive time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, mo, d := naive.Date()
	h, mi, s := naive.Clock()
	wall := time.Date(y, mo, d, h, mi, s, 0, time.UTC) // the wall clock as if it were UTC

	// The offsets in force a day either side bracket any single switch.
	before := offsetAt(wall.Add(-24*time.Hour), loc)
	after := offsetAt(wall.Add(24*time.Hour), loc)

	// Try the earlier instant first: the larger offset gives the earlier one.
	first, second := before, after
	if after > before {
		first, second = after, before
	}
	for _, off := range []int{first, second} {
		instant := wall.Add(-time.Duration(off) * time.Second)
		if offsetAt(instant, loc) == off {
			return instant
		}
	}
	// Nothing fits: the wall clock fell in a gap; use the pre-switch offset.
	return wall.Add(-time.Duration(before) * time.Second)
}

// FormatKyiv writes an instant as Kyiv wall-clock text in layout: the
// form of marketplaces whose APIs read and write local time without an
// offset.
func FormatKyiv(t time.Time, layout string) string {
	return t.In(Kyiv).Format(layout)
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

// ParseField is Parse for a record's field: a blank or unreadable value is
// a *canon.FieldError naming field, as every transform reports it.
func ParseField(field, s string, loc *time.Location) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, canon.FieldErr(field, "missing")
	}
	t, err := Parse(s, loc)
	if err != nil {
		return time.Time{}, canon.FieldErr(field, err.Error())
	}
	return t, nil
}

// Modified reads a record's change time s as Parse does, or gives created
// when s is blank or cannot be read: an order is never rejected for its
// change time (the drift check reports a bad one).
func Modified(s string, loc *time.Location, created time.Time) time.Time {
	if strings.TrimSpace(s) == "" {
		return created
	}
	t, err := Parse(s, loc)
	if err != nil {
		return created
	}
	return t
}
