// Package metrics keeps the pipeline's Prometheus metrics and serves them:
// runs, rows, errors, lag, push outcomes and HTTP calls per marketplace,
// plus the Go runtime and process metrics.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
)

// Metrics are the daemon's metrics; every method is safe for concurrent use.
// Each value has its own registry, so tests and several daemons in one
// process never share series.
type Metrics struct {
	registry *prometheus.Registry
	runs     *prometheus.CounterVec // store, job, status
	rows     *prometheus.CounterVec // store, job, kind
	errors   *prometheus.CounterVec // store, job, status
	push     *prometheus.CounterVec // store, outcome
	drift    *prometheus.CounterVec // store, kind
	http     *prometheus.CounterVec // marketplace, class
	duration *prometheus.SummaryVec // job
	flushes  *prometheus.CounterVec // outcome
	inserts  prometheus.Counter
	flushed  prometheus.Counter   // rows
	leases   *prometheus.GaugeVec // store
	success  *lastSuccess
}

// New returns empty metrics; now is the clock of the lag (nil = time.Now).
func New(now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		runs:     counter("kramar_runs_total", "Store runs by store, job and status (ok, failed, auth_failed, rate_limited, not_modified, skipped_overlap, skipped_held).", "store", "job", "status"),
		rows:     counter("kramar_rows_total", "Rows of order, catalog and reference runs by store, job and kind (fetched, new, updated, unchanged, rejected, held).", "store", "job", "kind"),
		errors:   counter("kramar_errors_total", "Store runs that failed, by store, job and status.", "store", "job", "status"),
		push:     counter("kramar_push_outcomes_total", "Changes of push runs by store and outcome (landed, already, rejected, open).", "store", "outcome"),
		drift:    counter("kramar_payload_drift_total", "Differences of marketplace payloads from kramar's wire model by store and kind (unknown_field, missing_field, type_change); see v_payload_drift.", "store", "kind"),
		http:     counter("kramar_http_requests_total", "HTTP attempts to marketplaces (retries included) by marketplace and status class (2xx, 4xx, 5xx, error = no answer).", "marketplace", "class"),
		// A summary without quantiles: only _sum and _count, which is what
		// an average run time needs, with no bucket series per job.
		duration: prometheus.NewSummaryVec(prometheus.SummaryOpts{Name: "kramar_run_duration_seconds",
			Help: "Seconds spent in store runs (skipped overlaps not counted), by job."}, []string{"job"}),
		flushes: counter("kramar_clickhouse_flushes_total", "Flushes of the shared ClickHouse writer by outcome (ok, failed); each carries the rows of many store runs.", "outcome"),
		inserts: prometheus.NewCounter(prometheus.CounterOpts{Name: "kramar_clickhouse_inserts_total",
			Help: "INSERT queries the shared writer sent (one per table per flush)."}),
		flushed: prometheus.NewCounter(prometheus.CounterOpts{Name: "kramar_clickhouse_flushed_rows_total",
			Help: "Rows the shared writer sent."}),
		leases: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kramar_store_lease",
			Help: "1 for each store whose lease this worker holds (coordination: only the holder runs the store's jobs)."}, []string{"store"}),
		success: &lastSuccess{now: now, at: map[[2]string]time.Time{}},
	}
	m.registry.MustRegister(m.runs, m.rows, m.errors, m.push, m.drift, m.http, m.duration, m.flushes, m.inserts, m.flushed, m.leases, m.success,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveResult counts one store run (Runner.OnResult).
func (m *Metrics) ObserveResult(r pipeline.StoreResult) {
	m.runs.WithLabelValues(r.Store, r.Job, r.Status).Inc()
	if r.Status == pipeline.StatusSkippedOverlap || r.Status == pipeline.StatusSkippedHeld {
		return
	}
	m.duration.WithLabelValues(r.Job).Observe(r.Duration.Seconds())
	if r.OK() {
		m.success.set(r.Store, r.Job, m.success.now(), false)
	} else {
		m.errors.WithLabelValues(r.Store, r.Job, r.Status).Inc()
	}
	if r.Job == pipeline.JobPush {
		// A push run's counts are outcomes (see Runner.push): new landed,
		// unchanged was already there, held is still open.
		for outcome, n := range map[string]int{"landed": r.New, "already": r.Unchanged, "rejected": r.Rejected, "open": r.Held} {
			m.push.WithLabelValues(r.Store, outcome).Add(float64(n))
		}
		return
	}
	for kind, n := range r.Drift {
		m.drift.WithLabelValues(r.Store, string(kind)).Add(float64(n))
	}
	for kind, n := range map[string]int{"fetched": r.Fetched, "new": r.New, "updated": r.Updated,
		"unchanged": r.Unchanged, "rejected": r.Rejected, "held": r.Held} {
		m.rows.WithLabelValues(r.Store, r.Job, kind).Add(float64(n))
	}
}

// ObserveFlush counts one flush of the shared writer (WriterOptions.Observe).
func (m *Metrics) ObserveFlush(f clickhouse.FlushStats) {
	outcome := "ok"
	if f.Err != nil {
		outcome = "failed"
	}
	m.flushes.WithLabelValues(outcome).Inc()
	m.inserts.Add(float64(f.Inserts))
	m.flushed.Add(float64(f.Rows))
}

// ObserveHTTP counts one HTTP attempt of a marketplace (Runner.OnHTTP).
func (m *Metrics) ObserveHTTP(marketplace string, c httpx.Call) {
	class := "error" // no answer: refused, timed out
	if c.Status > 0 {
		class = strconv.Itoa(c.Status/100) + "xx"
	}
	m.http.WithLabelValues(marketplace, class).Inc()
}

// SetLease records that this worker took (held) or gave up a store's
// lease (coord.Options.OnLease); a store given up leaves the series.
func (m *Metrics) SetLease(store string, held bool) {
	if held {
		m.leases.WithLabelValues(store).Set(1)
		return
	}
	m.leases.DeleteLabelValues(store)
}

// SetLastOK records when a store's job last succeeded (from the warehouse at
// start), so the lag is right before the first run of this process. An
// older time than the one known is ignored.
func (m *Metrics) SetLastOK(store, job string, at time.Time) {
	m.success.set(store, job, at, true)
}

// Handler serves the metrics at a scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// lastSuccess collects kramar_lag_seconds and
// kramar_last_success_timestamp_seconds. The lag is computed at the scrape,
// so it grows between runs instead of freezing at the last observation.
type lastSuccess struct {
	now func() time.Time
	mu  sync.Mutex
	at  map[[2]string]time.Time // store, job
}

var (
	lagDesc = prometheus.NewDesc("kramar_lag_seconds",
		"Seconds since the store's job last succeeded.", []string{"store", "job"}, nil)
	lastDesc = prometheus.NewDesc("kramar_last_success_timestamp_seconds",
		"When the store's job last succeeded (Unix time).", []string{"store", "job"}, nil)
)

// set records a success; onlyLater keeps a later time already known.
func (l *lastSuccess) set(store, job string, at time.Time, onlyLater bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := [2]string{store, job}
	if !onlyLater || at.After(l.at[k]) {
		l.at[k] = at
	}
}

func (l *lastSuccess) Describe(ch chan<- *prometheus.Desc) {
	ch <- lagDesc
	ch <- lastDesc
}

func (l *lastSuccess) Collect(ch chan<- prometheus.Metric) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for k, at := range l.at {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, now.Sub(at).Seconds(), k[0], k[1])
		ch <- prometheus.MustNewConstMetric(lastDesc, prometheus.GaugeValue, float64(at.UnixMilli())/1000, k[0], k[1])
	}
}
