// Package telegram is a local fake of the Telegram Bot API's sendMessage:
// it checks the bot token, records every message and fails on demand (5xx,
// 429 with retry_after, no answer at all), so senders can be tested without
// the network.
package telegram

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kramar/kramar/sandbox/kit"
)

// Kind is a scripted failure.
type Kind string

const (
	ServerError Kind = "5xx"     // 502 with the Bot API's error envelope; nothing sent
	TooMany     Kind = "429"     // 429 with parameters.retry_after; nothing sent
	Timeout     Kind = "timeout" // no answer until the client gives up; nothing sent
	// LostAnswer sends the message, then answers nothing: the client cannot
	// tell it from Timeout (the Bot API has no idempotency key).
	LostAnswer Kind = "lost_answer"
)

// Fault is one scripted failure; RetryAfter (seconds) goes with TooMany.
// A fault with Text is met only by a message whose text holds it, so a
// test can aim it at one message: other sends, even one that comes late
// from a run before, pass it by.
type Fault struct {
	Kind       Kind
	RetryAfter int
	Text       string
}

// Message is one message the fake accepted.
type Message struct {
	ChatID string
	Text   string
	At     time.Time
}

// Sandbox is the fake Bot API.
type Sandbox struct {
	mu       sync.Mutex
	bots     map[string]bool
	faults   []Fault
	messages []Message
	requests int
}

// New returns a fake that accepts the given bot tokens.
func New(tokens ...string) *Sandbox {
	s := &Sandbox{bots: map[string]bool{}}
	for _, t := range tokens {
		s.bots[t] = true
	}
	return s
}

// Fail makes the next sendMessage requests fail, one fault each, in order
// (a fault with Text waits for a message it fits).
func (s *Sandbox) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Messages returns the messages sent so far, in order.
func (s *Sandbox) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Requests counts sendMessage requests, failed ones included.
func (s *Sandbox) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

type apiError struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters,omitempty"`
}

func writeError(w http.ResponseWriter, code int, desc string) {
	kit.WriteJSON(w, code, apiError{ErrorCode: code, Description: desc})
}

// Handler serves POST /bot<token>/sendMessage.
func (s *Sandbox) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
		token, method, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || method != "sendMessage" {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
			return
		}
		var req struct {
			ChatID json.RawMessage `json:"chat_id"`
			Text   string          `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "Bad Request: can't parse JSON")
			return
		}
		chat := strings.Trim(string(req.ChatID), `"`)
		s.mu.Lock()
		s.requests++
		known := s.bots[token]
		var f Fault
		for i, next := range s.faults {
			if next.Text == "" || strings.Contains(req.Text, next.Text) {
				f, s.faults = next, slices.Delete(s.faults, i, i+1)
				break
			}
		}
		msg := Message{ChatID: chat, Text: req.Text, At: time.Now().UTC()}
		if known && chat != "" && req.Text != "" && (f.Kind == "" || f.Kind == LostAnswer) {
			s.messages = append(s.messages, msg)
		}
		s.mu.Unlock()
		switch f.Kind {
		case ServerError:
			writeError(w, http.StatusBadGateway, "Bad Gateway")
			return
		case TooMany:
			kit.WriteJSON(w, http.StatusTooManyRequests, apiError{ErrorCode: 429,
				Description: "Too Many Requests: retry after " + itoa(f.RetryAfter),
				Parameters: &struct {
					RetryAfter int `json:"retry_after"`
				}{f.RetryAfter}})
			return
		case Timeout, LostAnswer:
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
			return
		}
		switch {
		case !known:
			writeError(w, http.StatusUnauthorized, "Unauthorized")
		case chat == "":
			writeError(w, http.StatusBadRequest, "Bad Request: chat_id is empty")
		case req.Text == "":
			writeError(w, http.StatusBadRequest, "Bad Request: message text is empty")
		default:
			kit.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{
				"message_id": len(s.Messages()), "chat": map[string]string{"id": chat}, "text": req.Text}})
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
