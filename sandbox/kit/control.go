package kit

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// OutsideControl reports whether r is not for the /_sandbox/ control API:
// the FaultScope.Faultable of sandboxes that may fault every API request.
func OutsideControl(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/_sandbox/") }

// MountControl adds the marketplace-neutral control endpoints to m:
//
//	GET|PUT    /_sandbox/faults         FaultConfig; GET /_sandbox/faults/counts
//	GET|DELETE /_sandbox/requests       the recorded API requests
//	POST       /_sandbox/clock          {"advance":"1h"} → {"now":…}
//
// render is the marketplace's error body for a bad request.
func MountControl(m *http.ServeMux, f *Faults, rec *Recorder, clock *Clock, render ErrorBody) {
	decode := func(w http.ResponseWriter, r *http.Request, v any) bool {
		if err := json.NewDecoder(r.Body).Decode(v); err != nil {
			WriteError(w, render, http.StatusBadRequest, "invalid JSON body")
			return false
		}
		return true
	}
	m.HandleFunc("GET /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, f.Config())
	})
	m.HandleFunc("PUT /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		var cfg FaultConfig
		if decode(w, r, &cfg) {
			f.Set(cfg)
			WriteJSON(w, http.StatusOK, f.Config())
		}
	})
	m.HandleFunc("GET /_sandbox/faults/counts", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, f.Counts())
	})
	m.HandleFunc("GET /_sandbox/requests", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string][]Request{"requests": rec.Requests()})
	})
	m.HandleFunc("DELETE /_sandbox/requests", func(w http.ResponseWriter, r *http.Request) {
		rec.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("POST /_sandbox/clock", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Advance string `json:"advance"`
		}
		if !decode(w, r, &req) {
			return
		}
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			WriteError(w, render, http.StatusBadRequest, err.Error())
			return
		}
		clock.Advance(d)
		WriteJSON(w, http.StatusOK, map[string]time.Time{"now": clock.Now()})
	})
}

// Clone returns a pointer to a shallow copy of *p (nil for nil), for
// handing out data without sharing it.
func Clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
