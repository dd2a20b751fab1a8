package metrics

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/pipeline"
)

// scrape gets /metrics from m's handler as a Prometheus server would.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	return rec.Body.String()
}

// Labels are written sorted by name, as client_golang does.
func TestScrapeShowsRunsRowsErrorsLagPushAndHTTP(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	m := New(func() time.Time { return now })
	m.ObserveResult(pipeline.StoreResult{Store: "shop-a", Job: pipeline.JobOrders, Status: pipeline.StatusOK, Fetched: 10, New: 7, Updated: 2, Unchanged: 1, Duration: 1500 * time.Millisecond,
		Drift: map[drift.Kind]uint64{drift.TypeChange: 4, drift.Unknown: 10}})
	now = now.Add(90 * time.Second)
	m.ObserveResult(pipeline.StoreResult{Store: "shop-a", Job: pipeline.JobOrders, Status: pipeline.StatusRateLimited, Err: errors.New("429")})
	m.ObserveResult(pipeline.StoreResult{Store: "shop-a", Job: pipeline.JobOrders, Status: pipeline.StatusSkippedOverlap})
	m.ObserveResult(pipeline.StoreResult{Store: "shop-a", Job: pipeline.JobPush, Status: pipeline.StatusOK, Fetched: 6, New: 3, Unchanged: 1, Rejected: 1, Held: 1})
	m.SetLastOK("shop-b", pipeline.JobCatalog, now.Add(-time.Hour))
	m.ObserveHTTP("prom", httpx.Call{Status: 200})
	m.ObserveHTTP("prom", httpx.Call{Status: 200})
	m.ObserveHTTP("prom", httpx.Call{Status: 429})
	m.ObserveHTTP("rozetka", httpx.Call{Status: 0})

	body := scrape(t, m)
	for _, want := range []string{
		"# TYPE kramar_runs_total counter",
		`kramar_runs_total{job="orders",status="ok",store="shop-a"} 1`,
		`kramar_runs_total{job="orders",status="rate_limited",store="shop-a"} 1`,
		`kramar_runs_total{job="orders",status="skipped_overlap",store="shop-a"} 1`,
		`kramar_rows_total{job="orders",kind="new",store="shop-a"} 7`,
		`kramar_rows_total{job="orders",kind="fetched",store="shop-a"} 10`,
		`kramar_errors_total{job="orders",status="rate_limited",store="shop-a"} 1`,
		"# TYPE kramar_lag_seconds gauge",
		`kramar_lag_seconds{job="orders",store="shop-a"} 90`,
		`kramar_lag_seconds{job="catalog",store="shop-b"} 3600`,
		`kramar_last_success_timestamp_seconds{job="catalog",store="shop-b"} 1.77762609e+09`,
		`kramar_push_outcomes_total{outcome="landed",store="shop-a"} 3`,
		`kramar_push_outcomes_total{outcome="already",store="shop-a"} 1`,
		`kramar_push_outcomes_total{outcome="rejected",store="shop-a"} 1`,
		`kramar_push_outcomes_total{outcome="open",store="shop-a"} 1`,
		`kramar_payload_drift_total{kind="type_change",store="shop-a"} 4`,
		`kramar_payload_drift_total{kind="unknown_field",store="shop-a"} 10`,
		`kramar_http_requests_total{class="2xx",marketplace="prom"} 2`,
		`kramar_http_requests_total{class="4xx",marketplace="prom"} 1`,
		`kramar_http_requests_total{class="error",marketplace="rozetka"} 1`,
		"# TYPE kramar_run_duration_seconds summary",
		`kramar_run_duration_seconds_sum{job="orders"} 1.5`,
		`kramar_run_duration_seconds_count{job="orders"} 2`,
		"# TYPE go_goroutines gauge",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("scrape lacks %s\n%s", want, body)
		}
	}
	if strings.Contains(body, `job="push",kind=`) {
		t.Error("push outcomes are counted as rows too")
	}
}

func TestLagGrowsBetweenScrapesAndKeepsTheLatestSuccess(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	m := New(func() time.Time { return now })
	m.ObserveResult(pipeline.StoreResult{Store: "s", Job: pipeline.JobOrders, Status: pipeline.StatusOK})
	m.SetLastOK("s", pipeline.JobOrders, now.Add(-time.Hour)) // older than the run: ignored
	now = now.Add(time.Minute)
	if want := `kramar_lag_seconds{job="orders",store="s"} 60` + "\n"; !strings.Contains(scrape(t, m), want) {
		t.Errorf("scrape lacks %s", want)
	}
	now = now.Add(time.Minute)
	if want := `kramar_lag_seconds{job="orders",store="s"} 120` + "\n"; !strings.Contains(scrape(t, m), want) {
		t.Errorf("scrape lacks %s", want)
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	m := New(nil)
	m.ObserveHTTP("a\"b\\c\nd", httpx.Call{Status: 500})
	if body, want := scrape(t, m), `{class="5xx",marketplace="a\"b\\c\nd"} 1`; !strings.Contains(body, want) {
		t.Errorf("scrape lacks %s:\n%s", want, body)
	}
}

func TestEachMetricsHasItsOwnRegistry(t *testing.T) {
	a, b := New(nil), New(nil)
	a.ObserveHTTP("prom", httpx.Call{Status: 200})
	if body := scrape(t, b); strings.Contains(body, "kramar_http_requests_total{") {
		t.Errorf("a's calls show in b:\n%s", body)
	}
}

func TestStoreLeasesShowOnlyTheStoresHeld(t *testing.T) {
	m := New(nil)
	m.SetLease("shop-a", true)
	m.SetLease("shop-b", true)
	m.SetLease("shop-b", false)
	out := scrape(t, m)
	if !strings.Contains(out, `kramar_store_lease{store="shop-a"} 1`+"\n") || strings.Contains(out, `store="shop-b"`) {
		t.Errorf("leases:\n%s", out)
	}
}
