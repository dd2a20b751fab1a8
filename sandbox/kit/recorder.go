package kit

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Request is one recorded call. Headers are deliberately not kept, so the
// bearer token never lands here; Store is the store id auth resolved.
type Request struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	RawQuery string    `json:"raw_query,omitempty"`
	Body     []byte    `json:"body,omitempty"`
	Status   int       `json:"status"`
	// Handled is the status the marketplace's handler answered; it differs
	// from Status when a fault replaced the answer, and is 0 when the
	// request never reached the handler. A write with Handled 2xx was
	// applied, whatever the client saw.
	Handled int    `json:"handled"`
	Store   string `json:"store,omitempty"`
}

// RecorderLimit bounds memory of a long-running sandbox; the oldest
// requests are dropped beyond it.
const RecorderLimit = 200_000

// Recorder keeps every request that passed through Wrap.
type Recorder struct {
	clock  *Clock
	mu     sync.Mutex
	reqs   []Request
	hidden map[string]bool // paths whose bodies are not kept (they carry secrets)
}

// HideBodies stops keeping the bodies of requests to these exact paths,
// e.g. a login whose body holds a password.
func (rec *Recorder) HideBodies(paths ...string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.hidden == nil {
		rec.hidden = map[string]bool{}
	}
	for _, p := range paths {
		rec.hidden[p] = true
	}
}

func (rec *Recorder) hides(path string) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.hidden[path]
}

// NewRecorder stamps requests with clock (a real clock if nil).
func NewRecorder(clock *Clock) *Recorder {
	if clock == nil {
		clock = RealClock()
	}
	return &Recorder{clock: clock}
}

// Wrap records each request and the status the inner handler answered.
func (rec *Recorder) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, info := withInfo(r)
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			_ = r.Body.Close()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		entry := Request{
			Time:     rec.clock.Now(),
			Method:   r.Method,
			Path:     r.URL.Path,
			RawQuery: r.URL.RawQuery,
		}
		if len(body) > 0 && !rec.hides(r.URL.Path) {
			entry.Body = body
		}
		// The entry is filed when the answer starts, before its bytes can
		// reach the client: a test that has its answer sees it recorded.
		filed := false
		file := func(code int) {
			if !filed {
				filed = true
				entry.Status, entry.Store, entry.Handled = code, info.store, code
				if info.handledSet {
					entry.Handled = info.handled
				}
				rec.add(entry)
			}
		}
		sw := &statusWriter{ResponseWriter: w, onHeader: file}
		h.ServeHTTP(sw, r)
		file(sw.status())
	})
}

func (rec *Recorder) add(e Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) >= RecorderLimit {
		rec.reqs = append(rec.reqs[:0], rec.reqs[len(rec.reqs)-RecorderLimit/2:]...)
	}
	rec.reqs = append(rec.reqs, e)
}

// Requests returns a copy of what was recorded, oldest first.
func (rec *Recorder) Requests() []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]Request(nil), rec.reqs...)
}

// Count returns how many recorded requests have a path starting with pathPrefix.
func (rec *Recorder) Count(pathPrefix string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, r := range rec.reqs {
		if strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// Reset forgets everything recorded.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = nil
}

// statusWriter remembers the status code the handler sent and reports it
// before the first byte goes out.
type statusWriter struct {
	http.ResponseWriter
	code     int
	onHeader func(code int)
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
		if s.onHeader != nil {
			s.onHeader(code)
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
