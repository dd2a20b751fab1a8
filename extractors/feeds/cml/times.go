package cml

import (
	"fmt"
	"strings"
	"time"

	"github.com/kramar/kramar/transforms/timeconv"
)

// Shops write CML dates in their local time without an offset; for the
// Ukrainian marketplaces that is Europe/Kyiv. Values with an offset are
// honoured as written.

// dateLayouts and timeLayouts are the forms seen in CML files: ISO dates
// (ФорматДаты ДФ=yyyy-MM-dd) and the 1C form dd.MM.yyyy.
var (
	dateLayouts = []string{"2006-01-02", "02.01.2006"}
	timeLayouts = []string{"15:04:05", "15:04"}
)

// Created is Дата + Время as a UTC instant (Время missing: midnight).
// Дата may also carry the time itself ("2024-01-01T12:00:00").
func (d *Document) Created() (time.Time, error) {
	date, clock := trim(d.Date), trim(d.Time)
	if date == "" {
		return time.Time{}, fmt.Errorf("missing")
	}
	if clock == "" || strings.ContainsAny(date, "T ") {
		return ParseTime(date)
	}
	return ParseTime(date + " " + clock)
}

// Modified is the order's last change: the requisite «Дата изменения»,
// else «Дата изменения статуса». ok is false when the document has
// neither; the caller decides what stands in for it.
func (d *Document) Modified() (t time.Time, ok bool, err error) {
	for _, name := range []string{ReqModified, ReqStatusModified} {
		if v, found := FindRequisite(d.Requisites, name); found && v != "" {
			t, err := ParseTime(v)
			if err != nil {
				return time.Time{}, true, fmt.Errorf("%s: %w", name, err)
			}
			return t, true, nil
		}
	}
	return time.Time{}, false, nil
}

// ParseTime reads a CML date or date-time as Kyiv local time (or at the
// offset it carries) and returns the UTC instant, truncated to the second.
func ParseTime(s string) (time.Time, error) {
	s = trim(s)
	if t, err := timeconv.Parse(s, timeconv.Kyiv); err == nil {
		return t, nil
	}
	for _, dl := range dateLayouts {
		for _, layout := range append([]string{dl}, joinLayouts(dl)...) {
			if t, err := time.Parse(layout, s); err == nil {
				return timeconv.InLocation(t, timeconv.Kyiv), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not a CML date (yyyy-MM-dd or dd.MM.yyyy, optional HH:mm[:ss])", s)
}

func joinLayouts(date string) []string {
	out := make([]string, 0, 2*len(timeLayouts))
	for _, tl := range timeLayouts {
		out = append(out, date+" "+tl, date+"T"+tl)
	}
	return out
}
