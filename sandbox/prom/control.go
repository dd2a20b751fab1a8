package prom

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

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
//	and kit.NewControl's faults, rate, requests and clock endpoints.
func (s *Sandbox) controlRoutes() http.Handler {
	c := kit.NewControl(&s.base, errorBody, controlError)
	kit.HandleStores(c, func(req struct {
		Token  string `json:"token"`
		Orders int    `json:"orders"`
	}) (string, error) {
		if req.Token == "" || req.Orders < 0 {
			return "", errors.New("token and a non-negative orders count are required")
		}
		return s.AddStore(req.Token, req.Orders), nil
	})
	c.HandleFunc("GET /_sandbox/orders", s.withStore(func(w http.ResponseWriter, r *http.Request, st *store) {
		// Cached bytes, not re-encoded structs: a malformed order's broken
		// quantity cannot be encoded from its struct.
		writeList(w, st.book.Snapshot(), "")
	}))
	c.HandleFunc("GET /_sandbox/orders/{id}", s.withOrder(func(w http.ResponseWriter, r *http.Request, st *store, id int64) {
		writeOrder(w, st, id)
	}))
	kit.HandleJSON(c, "POST /_sandbox/orders", onStore(s, func(token string, req struct {
		Status string `json:"status"`
	}) (any, error) {
		id := s.AddOrder(token, func(o *wire.Order) {
			if req.Status != "" {
				applyStatus(o, wire.NormalizeStatus(req.Status), "", "")
			}
		})
		return map[string]int64{"id": id}, nil
	}))
	kit.HandleJSON(c, "POST /_sandbox/orders/malformed", onStore(s, func(token string, _ struct{}) (any, error) {
		return map[string]int64{"id": s.AddMalformed(token)}, nil
	}))
	c.HandleFunc("POST /_sandbox/orders/{id}/status", s.withField("status", s.SetStatus))
	c.HandleFunc("POST /_sandbox/orders/{id}/payment", s.withField("status", s.SetPayment))
	c.HandleFunc("POST /_sandbox/orders/{id}/ttn", s.withField("ttn", s.SetTTN))
	kit.HandleJSON(c, "POST /_sandbox/declarations/stall", func(_ *http.Request, req struct {
		Count int `json:"count"`
	}) (any, error) {
		s.StallDeclarations(req.Count)
		return req, nil
	})
	kit.HandleJSON(c, "POST /_sandbox/revoke", onStore(s, func(token string, _ struct{}) (any, error) {
		s.Revoke(token)
		return map[string]string{"status": "revoked"}, nil
	}))
	return c
}

func writeOrder(w http.ResponseWriter, st *store, id int64) {
	if rec, ok := st.book.Get(id); ok {
		writeOrderEnvelope(w, rec, "")
		return
	}
	controlError(w, errNotFound)
}

// controlError answers an unknown token 401, an unknown order 404 and any
// other refusal 400.
func controlError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrUnknownStore):
		status = http.StatusUnauthorized
	case errors.Is(err, errNotFound):
		status = http.StatusNotFound
	}
	kit.WriteError(w, errorBody, status, err.Error())
}

// onStore adapts a control method of the bearer token's store to kit.HandleJSON.
func onStore[T any](s *Sandbox, h func(token string, req T) (any, error)) func(*http.Request, T) (any, error) {
	return func(r *http.Request, req T) (any, error) {
		token := kit.BearerToken(r)
		if _, err := s.storeOf(token); err != nil {
			return nil, err
		}
		return h(token, req)
	}
}

// withStore resolves the bearer token to a known store (revoked included).
func (s *Sandbox) withStore(h func(http.ResponseWriter, *http.Request, *store)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := s.storeOf(kit.BearerToken(r))
		if err != nil {
			controlError(w, err)
			return
		}
		h(w, r, st)
	}
}

func (s *Sandbox) withOrder(h func(http.ResponseWriter, *http.Request, *store, int64)) http.HandlerFunc {
	return s.withStore(func(w http.ResponseWriter, r *http.Request, st *store) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			controlError(w, errNotFound)
			return
		}
		h(w, r, st, id)
	})
}

// withField adapts a (token, id, value) control method to a JSON body {field: value}.
func (s *Sandbox) withField(field string, set func(token string, id int64, value string) error) http.HandlerFunc {
	return s.withOrder(func(w http.ResponseWriter, r *http.Request, st *store, id int64) {
		var body map[string]string
		if r.ContentLength != 0 && json.NewDecoder(r.Body).Decode(&body) != nil {
			controlError(w, kit.ErrBadJSON)
			return
		}
		if err := set(kit.BearerToken(r), id, body[field]); err != nil {
			controlError(w, err)
			return
		}
		writeOrder(w, st, id)
	})
}
