package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kramar.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// errorsOf checks a config of the given text and returns its errors (not
// its warnings) by field.
func errorsOf(t *testing.T, text string) map[string]Problem {
	t.Helper()
	got := map[string]Problem{}
	for _, p := range Check(writeConfig(t, text)) {
		if !p.Warning {
			got[p.Field] = p
		}
	}
	return got
}

const scheduleStore = "clickhouse:\n  dsn: clickhouse://127.0.0.1:9000/kramar\nstores:\n  - id: shop\n    marketplace: prom\n    token_env: KRAMAR_TEST_TOKEN\n    order_type: Роздріб\n    order_source: Prom\n"

func TestScheduleDefaultsAndOverrides(t *testing.T) {
	setTestEnv(t)
	if cfg := mustLoad(t, "testdata/minimal.yaml"); cfg.Schedule != DefaultSchedule {
		t.Errorf("schedule: got %+v, want the defaults %+v", cfg.Schedule, DefaultSchedule)
	}
	cfg := mustLoad(t, writeConfig(t, "schedule:\n  orders_every: 5m\n  catalog_at: \"02:30\"\n  jitter: 0s\n  expenses_at: \"off\"\n"+scheduleStore))
	s := cfg.Schedule
	if s.OrdersEvery.Duration != 5*time.Minute || s.CatalogAt != "02:30" || s.Jitter.Duration != 0 || s.ExpensesAt != ScheduleOff {
		t.Errorf("overrides lost: %+v", s)
	}
	if s.PushEvery != DefaultSchedule.PushEvery || s.Timezone != "Europe/Kyiv" {
		t.Errorf("keys left out must take the defaults: %+v", s)
	}
}

func TestScheduleMistakesAreNamed(t *testing.T) {
	setTestEnv(t)
	got := errorsOf(t, "schedule:\n  orders_every: 10ms\n  catalog_at: \"4 am\"\n  timezone: Europe/Kiev-ish\n  jitter: -1s\n  pushevery: 1m\n"+scheduleStore)
	want := map[string]string{
		"schedule.orders_every": "must be 0 (never) or at least 100ms",
		"schedule.catalog_at":   `"4 am" is not a time of day; write it like "04:00", or "off"`,
		"schedule.timezone":     `timezone "Europe/Kiev-ish" is not a known IANA zone (like Europe/Kyiv)`,
		"schedule.jitter":       "must not be negative",
		"schedule.pushevery":    `unknown key (did you mean "push_every"?)`,
	}
	for k, msg := range want {
		if got[k].Message != msg {
			t.Errorf("%s: got %q, want %q", k, got[k].Message, msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems %v, want only %v", got, want)
	}
}
