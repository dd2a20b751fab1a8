package kit

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Kind names one fault.
type Kind string

// The fault kinds. DuplicatePage and ShiftPage are decided here but applied
// by the marketplace's list handler (see FaultFrom).
const (
	None            Kind = ""
	TooManyRequests Kind = "too_many_requests" // 429 + Retry-After
	ServerError     Kind = "server_error"      // 500, 502 or 503
	Timeout         Kind = "timeout"           // no answer until the client gives up
	Truncated       Kind = "truncated"         // real answer, body cut in half
	DuplicatePage   Kind = "duplicate_page"    // the previous page again
	ShiftPage       Kind = "shift_page"        // page starts a few items early (overlap, never a gap)
	// AppliedTimeout runs the request (a write takes effect) and then gives
	// no answer until the client gives up: the client cannot tell whether
	// its change landed.
	AppliedTimeout Kind = "applied_timeout"
)

// AllKinds lists every fault kind of a read.
var AllKinds = []Kind{TooManyRequests, ServerError, Timeout, Truncated, DuplicatePage, ShiftPage}

// WriteKinds are the faults a write can meet, including the one that hurts
// most: the change applied, the answer lost.
var WriteKinds = []Kind{TooManyRequests, ServerError, Timeout, AppliedTimeout, Truncated}

// FaultConfig says how often and which faults happen. The sequence of
// decisions is a pure function of Seed and the order of faultable requests.
type FaultConfig struct {
	Rate       float64       `json:"rate"`  // 0..1, probability that a faultable response is faulted
	Kinds      []Kind        `json:"kinds"` // enabled kinds; empty = none
	Seed       int64         `json:"seed"`
	RetryAfter int           `json:"retry_after_seconds,omitempty"` // for 429; default 1
	MaxWait    time.Duration `json:"max_wait,omitempty"`            // for Timeout, in ns; default 30s
}

// FaultScope tells the injector which requests it may touch.
type FaultScope struct {
	// Faultable reports whether r may be faulted at all; nil = every request.
	Faultable func(r *http.Request) bool
	// Paged reports whether r is a list request that can apply DuplicatePage
	// and ShiftPage; nil = none, so those kinds are never chosen.
	Paged func(r *http.Request) bool
	// ErrorBody renders the marketplace's error JSON; nil = {"error": msg}.
	ErrorBody ErrorBody
}

// Faults is a seeded fault injector used as middleware.
type Faults struct {
	scope  FaultScope
	mu     sync.Mutex
	cfg    FaultConfig
	rng    *rand.Rand
	counts map[Kind]int
}

// NewFaults builds an injector with cfg limited to scope.
func NewFaults(cfg FaultConfig, scope FaultScope) *Faults {
	f := &Faults{scope: scope}
	f.Set(cfg)
	return f
}

// Set replaces the configuration and restarts the seeded sequence.
func (f *Faults) Set(cfg FaultConfig) {
	cfg.Kinds = append([]Kind(nil), cfg.Kinds...)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	f.rng = rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6b72616d6172))
	f.counts = map[Kind]int{}
}

// Config returns the current configuration.
func (f *Faults) Config() FaultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cfg
	c.Kinds = append([]Kind(nil), c.Kinds...)
	return c
}

// Counts returns how many faults of each kind were injected since the last Set.
func (f *Faults) Counts() map[Kind]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Kind]int, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// decision is one draw of the seeded sequence.
type decision struct {
	kind   Kind
	status int // for ServerError
	shift  int // for ShiftPage
}

// decide draws for one request. Every faultable request consumes the same
// number of draws whatever the outcome, so the sequence stays reproducible.
func (f *Faults) decide(paged bool) decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	roll, pick := f.rng.Float64(), f.rng.IntN(1<<30)
	statuses := [...]int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
	d := decision{status: statuses[f.rng.IntN(len(statuses))], shift: 1 + f.rng.IntN(5)}
	if roll >= f.cfg.Rate {
		return d
	}
	var eligible []Kind
	for _, k := range f.cfg.Kinds {
		if (k == DuplicatePage || k == ShiftPage) && !paged {
			continue
		}
		eligible = append(eligible, k)
	}
	if len(eligible) == 0 {
		return d
	}
	d.kind = eligible[pick%len(eligible)]
	f.counts[d.kind]++
	return d
}

// Wrap injects faults into the responses of h.
func (f *Faults) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.scope.Faultable != nil && !f.scope.Faultable(r) {
			h.ServeHTTP(w, r)
			return
		}
		paged := f.scope.Paged != nil && f.scope.Paged(r)
		d := f.decide(paged)
		cfg := f.Config()
		r, info := withInfo(r)
		info.fault, info.shift = d.kind, d.shift
		info.handledSet = true
		serve := func(w http.ResponseWriter) {
			// Noted as the header goes out: the recorder files its entry then.
			sw := &statusWriter{ResponseWriter: w, onHeader: func(code int) { info.handled = code }}
			h.ServeHTTP(sw, r)
			info.handled = sw.status()
		}
		switch d.kind {
		case TooManyRequests:
			secs := cfg.RetryAfter
			if secs <= 0 {
				secs = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			WriteError(w, f.scope.ErrorBody, http.StatusTooManyRequests, "Too many requests")
		case ServerError:
			WriteError(w, f.scope.ErrorBody, d.status, http.StatusText(d.status))
		case Timeout:
			if clientGaveUp(r, cfg) {
				// Nobody reads this, but the recorder sees 504.
				w.WriteHeader(http.StatusGatewayTimeout)
			} else {
				serve(w)
			}
		case AppliedTimeout:
			buf := &bufferWriter{header: http.Header{}}
			serve(buf)
			clientGaveUp(r, cfg)
			w.WriteHeader(http.StatusGatewayTimeout)
		case Truncated:
			buf := &bufferWriter{header: http.Header{}}
			serve(buf)
			sendTruncated(w, buf)
		default: // None, DuplicatePage, ShiftPage: the handler answers.
			serve(w)
		}
	})
}

// clientGaveUp holds the answer until the client stops waiting (true) or
// MaxWait passes (false).
func clientGaveUp(r *http.Request, cfg FaultConfig) bool {
	wait := cfg.MaxWait
	if wait <= 0 {
		wait = 30 * time.Second
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return true
	case <-t.C:
		return false
	}
}

// sendTruncated sends the answer in buf with only the first half of its
// body. No Content-Length is declared, so the response ends cleanly and the
// client sees a complete 200 whose JSON is cut off mid-value.
func sendTruncated(w http.ResponseWriter, buf *bufferWriter) {
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	code := buf.code
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	body := buf.body.Bytes()
	_, _ = w.Write(body[:len(body)/2])
}

// bufferWriter is a minimal in-memory ResponseWriter.
type bufferWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
