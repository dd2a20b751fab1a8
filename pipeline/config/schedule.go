package config

import (
	"fmt"
	"time"
	_ "time/tzdata" // the schedule's timezone resolves on hosts without zoneinfo
)

// Schedule is when `kramar serve` runs each job. Interval jobs run per
// store; daily ones at a wall-clock time of Timezone, so they keep their
// local hour across daylight-saving switches.
type Schedule struct {
	// OrdersEvery is how often each store's changed orders are pulled; 0 = never.
	OrdersEvery Duration `yaml:"orders_every"`
	// PushEvery is how often each pushing store's changes go back; 0 = never.
	PushEvery Duration `yaml:"push_every"`
	// CatalogAt is the daily time ("04:00") of each store's catalog load; "off" = never.
	CatalogAt string `yaml:"catalog_at"`
	// ExpensesAt is the daily time of the expense entries of the month; "off" = never.
	ExpensesAt string `yaml:"expenses_at"`
	// Timezone of CatalogAt and ExpensesAt (IANA name).
	Timezone string `yaml:"timezone"`
	// Jitter spreads the stores' daily catalogs: each starts at a fixed
	// offset within it after CatalogAt (from its id), so many stores never
	// load their catalogs in the same second; 0 = all at once. Interval jobs
	// (orders, push) need no setting: each store always has a fixed place
	// within the whole interval.
	Jitter Duration `yaml:"jitter"`
	// Grace is how long a stop (SIGTERM) lets running jobs finish before
	// their context is cancelled.
	Grace Duration `yaml:"grace"`
}

// ScheduleOff turns a daily job off.
const ScheduleOff = "off"

// DefaultSchedule is what each schedule key is when the file leaves it out.
var DefaultSchedule = Schedule{
	OrdersEvery: Duration{2 * time.Minute},
	PushEvery:   Duration{time.Minute},
	CatalogAt:   "04:00",
	ExpensesAt:  "05:00",
	Timezone:    "Europe/Kyiv",
	Jitter:      Duration{time.Minute},
	Grace:       Duration{30 * time.Second},
}

// Location is the schedule's timezone.
func (s Schedule) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone %q is not a known IANA zone (like Europe/Kyiv)", s.Timezone)
	}
	return loc, nil
}

// ClockTime reads a daily time "HH:MM" (or "off", ok=false).
func ClockTime(s string) (hour, minute int, ok bool, err error) {
	if s == ScheduleOff {
		return 0, 0, false, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false, fmt.Errorf(`%q is not a time of day; write it like "04:00", or "off"`, s)
	}
	return t.Hour(), t.Minute(), true, nil
}

// fillSchedule sets every schedule key the file left out.
func fillSchedule(dst *Schedule, present func(key string) bool) {
	def := DefaultSchedule
	for _, f := range []struct {
		key string
		set func()
	}{
		{"orders_every", func() { dst.OrdersEvery = def.OrdersEvery }},
		{"push_every", func() { dst.PushEvery = def.PushEvery }},
		{"catalog_at", func() { dst.CatalogAt = def.CatalogAt }},
		{"expenses_at", func() { dst.ExpensesAt = def.ExpensesAt }},
		{"timezone", func() { dst.Timezone = def.Timezone }},
		{"jitter", func() { dst.Jitter = def.Jitter }},
		{"grace", func() { dst.Grace = def.Grace }},
	} {
		if !present("schedule." + f.key) {
			f.set()
		}
	}
}

// schedule checks what the file says under schedule:.
func (v validator) schedule(s Schedule) {
	for _, d := range []struct {
		key   string
		val   time.Duration
		small bool // any positive value is fine (jitter, grace)
	}{
		{"orders_every", s.OrdersEvery.Duration, false},
		{"push_every", s.PushEvery.Duration, false},
		{"jitter", s.Jitter.Duration, true},
		{"grace", s.Grace.Duration, true},
	} {
		p := "schedule." + d.key
		switch {
		case !v.d.present(p):
		case d.val < 0:
			v.problem(p, "must not be negative")
		case !d.small && d.val > 0 && d.val < 100*time.Millisecond:
			v.problem(p, "must be 0 (never) or at least 100ms")
		}
	}
	for k, val := range map[string]string{"catalog_at": s.CatalogAt, "expenses_at": s.ExpensesAt} {
		if p := "schedule." + k; v.d.present(p) {
			if _, _, _, err := ClockTime(val); err != nil {
				v.problem(p, "%s", err)
			}
		}
	}
	if v.d.present("schedule.timezone") {
		if _, err := s.Location(); err != nil {
			v.problem("schedule.timezone", "%s", err)
		}
	}
}
