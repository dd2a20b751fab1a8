package kit

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"
)

// ErrorBody renders a marketplace's error JSON for a status and message.
type ErrorBody func(status int, msg string) []byte

// DefaultErrorBody renders {"error": msg}.
func DefaultErrorBody(_ int, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return b
}

// MustJSON encodes what a sandbox generated or holds: strings, numbers and
// raw JSON that always encode, so a failure is a bug in the sandbox.
func MustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// WriteJSON encodes v as the response body with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	WriteRaw(w, status, b)
}

// WriteRaw sends already-encoded JSON.
func WriteRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError sends the marketplace's error body; a nil render falls back to DefaultErrorBody.
func WriteError(w http.ResponseWriter, render ErrorBody, status int, msg string) {
	if render == nil {
		render = DefaultErrorBody
	}
	WriteRaw(w, status, render(status, msg))
}

// Serve listens on addr (host defaults to 127.0.0.1, port 0 picks a free
// port) and serves h in the background. It returns the server, so the caller
// can Shutdown it, and the base URL such as http://127.0.0.1:41234.
func Serve(addr string, h http.Handler) (*http.Server, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if addr == "" {
		host, port, err = "", "0", nil
	}
	if err != nil {
		return nil, "", err
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return srv, "http://" + ln.Addr().String(), nil
}

// ServeUntil is Serve that shuts the server down when ctx ends (forcing it
// closed if a held request, such as a Timeout fault, outlives 5 seconds).
func ServeUntil(ctx context.Context, addr string, h http.Handler) (string, error) {
	srv, base, err := Serve(addr, h)
	if err != nil {
		return "", err
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(shutdown) != nil {
			_ = srv.Close()
		}
	}()
	return base, nil
}
