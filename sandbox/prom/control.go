package prom

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
)

// controlRoutes is the HTTP face of the control methods, for tests in other
// processes and for people. Orders come as the sandbox holds them (status
// names in Ukrainian, whatever X-LANGUAGE says). No faults, no recording; the store is chosen by
// the same "Authorization: Bearer <token>" header as the API (revoked is fine).
//
//	POST /_sandbox/stores                {"token":"…","orders":100} → {"store":"store-1"}
//	GET  /_sandbox/orders                → {"orders":[…]} (the truth, ascending id)
//	GET  /_sandbox/orders/{id}           → {"order":{…}}
//	POST /_sandbox/orders                optional {"status":"pending"} → {"id":…}
//	POST /_sandbox/orders/malformed      → {"id":…}
//	POST /_sandbox/orders/{id}/status    {"status":"delivered"}
//	POST /_sandbox/orders/{id}/payment   {"status":"paid"}
//	POST /_sandbox/orders/{id}/ttn       {"ttn":"20450000000000"}
//	POST /_sandbox/declarations/stall    {"count":1} (see Sandbox.StallDeclarations)
//	POST /_sandbox/revoke
//	GET|PUT /_sandbox/faults             kit.FaultConfig; GET /_sandbox/faults/counts
//	PUT  /_sandbox/rate                  {"per_second":5}
//	GET|DELETE /_sandbox/requests        recorded API requests
//	GET  /_sandbox/clock; POST /_sandbox/clock {"advance":"1h"} or {"set":"2026-08-02T12:00:00Z"}
func (s *Sandbox) controlRoutes() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("POST /_sandbox/stores", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Token  string `json:"token"`
			Orders int    `json:"orders"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Token == "" || req.Orders < 0 {
			controlError(w, http.StatusBadRequest, errors.New("token and a non-negative orders count are required"))
			return
		}
		kit.WriteJSON(w, http.StatusOK, map[string]string{"store": s.AddStore(req.Token, req.Orders)})
	})
	m.HandleFunc("GET /_sandbox/orders", s.withStore(func(w http.ResponseWriter, r *http.Request, token string) {
		// Cached bytes, not re-encoded structs: a malformed order's broken
		// quantity cannot be encoded from its struct.
		st, _ := s.storeOf(token)
		st.mu.RLock()
		recs := append([]*record(nil), st.recs...)
		st.mu.RUnlock()
		writeList(w, recs, "")
	}))
	m.HandleFunc("GET /_sandbox/orders/{id}", s.withOrder(func(w http.ResponseWriter, r *http.Request, token string, id int64) {
		s.writeOrder(w, token, id)
	}))
	m.HandleFunc("POST /_sandbox/orders", s.withStore(func(w http.ResponseWriter, r *http.Request, token string) {
		var req struct {
			Status string `json:"status"`
		}
		if r.ContentLength != 0 && !decode(w, r, &req) {
			return
		}
		id := s.AddOrder(token, func(o *wire.Order) {
			if req.Status != "" {
				applyStatus(o, wire.NormalizeStatus(req.Status), "", "")
			}
		})
		kit.WriteJSON(w, http.StatusOK, map[string]int64{"id": id})
	}))
	m.HandleFunc("POST /_sandbox/orders/malformed", s.withStore(func(w http.ResponseWriter, r *http.Request, token string) {
		kit.WriteJSON(w, http.StatusOK, map[string]int64{"id": s.AddMalformed(token)})
	}))
	m.HandleFunc("POST /_sandbox/orders/{id}/status", s.withField("status", s.SetStatus))
	m.HandleFunc("POST /_sandbox/orders/{id}/payment", s.withField("status", s.SetPayment))
	m.HandleFunc("POST /_sandbox/orders/{id}/ttn", s.withField("ttn", s.SetTTN))
	m.HandleFunc("POST /_sandbox/declarations/stall", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Count int `json:"count"`
		}
		if decode(w, r, &req) {
			s.StallDeclarations(req.Count)
			kit.WriteJSON(w, http.StatusOK, req)
		}
	})
	m.HandleFunc("POST /_sandbox/revoke", s.withStore(func(w http.ResponseWriter, r *http.Request, token string) {
		s.Revoke(token)
		kit.WriteJSON(w, http.StatusOK, map[string]string{"status": "revoked"})
	}))
	m.HandleFunc("GET /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteJSON(w, http.StatusOK, s.Faults().Config())
	})
	m.HandleFunc("PUT /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		var cfg kit.FaultConfig
		if decode(w, r, &cfg) {
			s.Faults().Set(cfg)
			kit.WriteJSON(w, http.StatusOK, s.Faults().Config())
		}
	})
	m.HandleFunc("GET /_sandbox/faults/counts", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteJSON(w, http.StatusOK, s.Faults().Counts())
	})
	m.HandleFunc("PUT /_sandbox/rate", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			PerSecond float64 `json:"per_second"`
		}
		if decode(w, r, &req) {
			s.RateLimit().Set(req.PerSecond)
			kit.WriteJSON(w, http.StatusOK, req)
		}
	})
	m.HandleFunc("GET /_sandbox/requests", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteJSON(w, http.StatusOK, map[string][]kit.Request{"requests": s.Recorder().Requests()})
	})
	m.HandleFunc("DELETE /_sandbox/requests", func(w http.ResponseWriter, r *http.Request) {
		s.Recorder().Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_sandbox/clock", s.writeClock)
	m.HandleFunc("POST /_sandbox/clock", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Advance string    `json:"advance"`
			Set     time.Time `json:"set"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Advance != "" {
			d, err := time.ParseDuration(req.Advance)
			if err != nil {
				controlError(w, http.StatusBadRequest, err)
				return
			}
			s.Clock().Advance(d)
		}
		if !req.Set.IsZero() {
			s.Clock().Set(req.Set)
		}
		s.writeClock(w, r)
	})
	m.HandleFunc("/_sandbox/", func(w http.ResponseWriter, r *http.Request) {
		controlError(w, http.StatusNotFound, errors.New("no such control endpoint"))
	})
	return m
}

func (s *Sandbox) writeClock(w http.ResponseWriter, _ *http.Request) {
	kit.WriteJSON(w, http.StatusOK, map[string]time.Time{"now": s.Clock().Now()})
}

func (s *Sandbox) writeOrder(w http.ResponseWriter, token string, id int64) {
	st, _ := s.storeOf(token)
	if rec := st.rec(id); rec != nil {
		writeOrderEnvelope(w, rec, "")
		return
	}
	controlError(w, http.StatusNotFound, errNotFound)
}

func controlError(w http.ResponseWriter, status int, err error) {
	kit.WriteError(w, errorBody, status, err.Error())
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		controlError(w, http.StatusBadRequest, errors.New("invalid JSON body"))
		return false
	}
	return true
}

// withStore resolves the bearer token to a known store (revoked included).
func (s *Sandbox) withStore(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := kit.BearerToken(r)
		if _, err := s.storeOf(token); err != nil {
			controlError(w, http.StatusUnauthorized, err)
			return
		}
		h(w, r, token)
	}
}

func (s *Sandbox) withOrder(h func(http.ResponseWriter, *http.Request, string, int64)) http.HandlerFunc {
	return s.withStore(func(w http.ResponseWriter, r *http.Request, token string) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			controlError(w, http.StatusNotFound, errNotFound)
			return
		}
		h(w, r, token, id)
	})
}

// withField adapts a (token, id, value) control method to a JSON body {field: value}.
func (s *Sandbox) withField(field string, set func(token string, id int64, value string) error) http.HandlerFunc {
	return s.withOrder(func(w http.ResponseWriter, r *http.Request, token string, id int64) {
		var body map[string]string
		if !decode(w, r, &body) {
			return
		}
		if err := set(token, id, body[field]); err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, errNotFound) {
				status = http.StatusNotFound
			}
			controlError(w, status, err)
			return
		}
		s.writeOrder(w, token, id)
	})
}
