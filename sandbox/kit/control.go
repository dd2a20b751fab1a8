package kit

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// OutsideControl reports whether r is not for the /_sandbox/ control API:
// the FaultScope.Faultable of sandboxes that may fault every API request.
func OutsideControl(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/_sandbox/") }

// Under is the FaultScope.Faultable of sandboxes that may fault only their
// API: the requests whose path starts with prefix.
func Under(prefix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, prefix) }
}

// ErrBadJSON is what a control endpoint answers for a body it cannot decode.
var ErrBadJSON = errors.New("invalid JSON body")

// MountControl adds the marketplace-neutral control endpoints to m:
//
//	GET|PUT    /_sandbox/faults         FaultConfig; GET /_sandbox/faults/counts
//	GET|DELETE /_sandbox/requests       the recorded API requests
//	GET        /_sandbox/clock; POST /_sandbox/clock {"advance":"1h"} or
//	           {"set":"2026-08-02T12:00:00Z"} → {"now":…}
//
// render is the marketplace's error body for a bad request.
func MountControl(m *http.ServeMux, f *Faults, rec *Recorder, clock *Clock, render ErrorBody) {
	c := &Control{ServeMux: m, fail: defaultFail(render)}
	HandleJSON(c, "PUT /_sandbox/faults", func(_ *http.Request, cfg FaultConfig) (any, error) {
		f.Set(cfg)
		return f.Config(), nil
	})
	c.answer("GET /_sandbox/faults", func() any { return f.Config() })
	c.answer("GET /_sandbox/faults/counts", func() any { return f.Counts() })
	c.answer("GET /_sandbox/requests", func() any { return map[string][]Request{"requests": rec.Requests()} })
	m.HandleFunc("DELETE /_sandbox/requests", func(w http.ResponseWriter, r *http.Request) {
		rec.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	now := func() any { return map[string]time.Time{"now": clock.Now()} }
	c.answer("GET /_sandbox/clock", now)
	HandleJSON(c, "POST /_sandbox/clock", func(_ *http.Request, req struct {
		Advance string    `json:"advance"`
		Set     time.Time `json:"set"`
	}) (any, error) {
		if req.Advance != "" {
			d, err := time.ParseDuration(req.Advance)
			if err != nil {
				return nil, err
			}
			clock.Advance(d)
		}
		if !req.Set.IsZero() {
			clock.Set(req.Set)
		}
		return now(), nil
	})
}

// Control is a sandbox's control API under /_sandbox/, for tests in other
// processes and for people: no faults, no recording, no auth. It serves
// MountControl's endpoints, PUT /_sandbox/rate {"per_second":5}, a 404 in
// the marketplace's error body for any other /_sandbox/ path, and what the
// sandbox adds: HandleStores, HandleOrders, HandleSessions (POST
// /_sandbox/expire-tokens) and its own endpoints through HandleJSON.
type Control struct {
	*http.ServeMux
	fail func(http.ResponseWriter, error)
}

// NewControl builds b's control API. fail answers an endpoint's error (nil
// = b's error body, 404 for an unknown store or order, 400 otherwise).
func NewControl(b *Base, render ErrorBody, fail func(http.ResponseWriter, error)) *Control {
	if fail == nil {
		fail = defaultFail(render)
	}
	c := &Control{ServeMux: http.NewServeMux(), fail: fail}
	MountControl(c.ServeMux, b.faults, b.rec, b.clock, render)
	HandleJSON(c, "PUT /_sandbox/rate", func(_ *http.Request, req struct {
		PerSecond float64 `json:"per_second"`
	}) (any, error) {
		b.limit.Set(req.PerSecond)
		return req, nil
	})
	c.HandleFunc("/_sandbox/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, render, http.StatusNotFound, "no such control endpoint")
	})
	return c
}

func defaultFail(render ErrorBody) func(http.ResponseWriter, error) {
	return func(w http.ResponseWriter, err error) {
		status := http.StatusBadRequest
		if errors.Is(err, ErrNoOrder) || errors.Is(err, ErrUnknownStore) {
			status = http.StatusNotFound
		}
		WriteError(w, render, status, err.Error())
	}
}

func (c *Control) answer(pattern string, v func() any) {
	c.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, http.StatusOK, v()) })
}

// HandleJSON answers pattern with what fn returns for the request's JSON
// body (an empty body leaves req zero), or with fn's error.
func HandleJSON[T any](c *Control, pattern string, fn func(r *http.Request, req T) (any, error)) {
	c.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var req T
		if r.ContentLength != 0 && json.NewDecoder(r.Body).Decode(&req) != nil {
			c.fail(w, ErrBadJSON)
			return
		}
		out, err := fn(r, req)
		if err != nil {
			c.fail(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, out)
	})
}

// HandleStores adds POST /_sandbox/stores: add registers the store the
// body describes and returns its id → {"store":"store-1"}.
func HandleStores[T any](c *Control, add func(req T) (string, error)) {
	HandleJSON(c, "POST /_sandbox/stores", func(_ *http.Request, req T) (any, error) {
		id, err := add(req)
		return map[string]string{"store": id}, err
	})
}

// HandleLoginStores is HandleStores for a sandbox whose stores log in:
// {"username","password","orders","goods"} → {"store":…}, goods being the
// catalog size; add is the sandbox's AddStore.
func HandleLoginStores(c *Control, add func(user, password string, orders, goods int) string) {
	HandleStores(c, func(req struct {
		Username, Password string
		Orders, Goods      int
	}) (string, error) {
		return add(req.Username, req.Password, req.Orders, req.Goods), nil
	})
}

// HandleSessions adds POST /_sandbox/expire-tokens, which ends every
// session of s as if its lifetime had passed.
func HandleSessions(c *Control, s *Sessions) {
	HandleJSON(c, "POST /_sandbox/expire-tokens", func(*http.Request, struct{}) (any, error) {
		s.ExpireAll()
		return map[string]string{"status": "expired"}, nil
	})
}

// HandleOrders adds the order endpoints of a sandbox whose control requests
// name the store with ?store=:
//
//	GET  /_sandbox/orders?store=   → {"orders":[…]} (the truth)
//	POST /_sandbox/orders?store=   → {"id":…} (a new order at the clock's now)
//
// add is the sandbox's AddOrder, called with no mutate.
func HandleOrders[W, ID, M any](c *Control, orders func(storeID string) []W, add func(storeID string, mutate M) ID) {
	HandleJSON(c, "GET /_sandbox/orders", func(r *http.Request, _ struct{}) (any, error) {
		return map[string][]W{"orders": orders(StoreParam(r))}, nil
	})
	HandleJSON(c, "POST /_sandbox/orders", func(r *http.Request, _ struct{}) (any, error) {
		var none M
		return map[string]ID{"id": add(StoreParam(r), none)}, nil
	})
}

// StoreParam is the store a control request names with ?store=.
func StoreParam(r *http.Request) string { return r.URL.Query().Get("store") }
