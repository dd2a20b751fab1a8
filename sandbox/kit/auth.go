package kit

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Tokens maps bearer tokens to store ids. Only the id ever leaves this type
// (into logs, the recorder, errors); the token itself stays inside.
type Tokens struct {
	mu      sync.RWMutex
	ids     map[string]string
	revoked map[string]bool
	expires map[string]time.Time // tokens added with AddExpiring
	now     Now                  // the clock expiry is read on; nil = never expire
}

// NewTokens returns an empty registry.
func NewTokens() *Tokens {
	return &Tokens{ids: map[string]string{}, revoked: map[string]bool{}, expires: map[string]time.Time{}}
}

// SetClock sets the clock that AddExpiring's deadlines are read on (a
// sandbox's movable clock, so tests can expire sessions by advancing it).
func (t *Tokens) SetClock(now Now) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.now = now
}

// AddExpiring registers token for storeID until expires (exclusive), as a
// login session is; without SetClock it never expires.
func (t *Tokens) AddExpiring(token, storeID string, expires time.Time) {
	t.Add(token, storeID)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expires[token] = expires
}

// Add registers token for storeID (re-adding also un-revokes it).
func (t *Tokens) Add(token, storeID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ids[token] = storeID
	delete(t.revoked, token)
}

// Revoke makes token answer 401 from now on; the store's data stays.
func (t *Tokens) Revoke(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.ids[token]; ok {
		t.revoked[token] = true
	}
}

// StoreID returns the store registered for token, revoked or not.
func (t *Tokens) StoreID(token string) (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	id, ok := t.ids[token]
	return id, ok
}

// Active returns the store id for a known, not revoked token.
func (t *Tokens) Active(token string) (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	id, ok := t.ids[token]
	if !ok || t.revoked[token] {
		return "", false
	}
	if exp, ok := t.expires[token]; ok && t.now != nil && !t.now().Before(exp) {
		return "", false
	}
	return id, true
}

// BearerToken extracts the token of an "Authorization: Bearer <token>" header.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return ""
	}
	return strings.TrimSpace(h[len(prefix):])
}

// AsBearer serves h with the credential find takes out of the request as
// its only Authorization (a bearer token), so Tokens resolves the store and
// the recorder never sees the credential where the client put it. find gets
// a clone and removes the credential from it (TakeQuery, TakeBodyField);
// "" leaves the request without one.
func AsBearer(h http.Handler, find func(r *http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		token := find(r)
		r.Header.Del("Authorization")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		h.ServeHTTP(w, r)
	})
}

// TakeQuery removes the query parameter name from r and returns its value.
func TakeQuery(r *http.Request, name string) string {
	q := r.URL.Query()
	v := q.Get(name)
	q.Del(name)
	r.URL.RawQuery = q.Encode()
	return v
}

// TakeBodyField removes a top-level key from r's JSON object body and
// returns its string value.
func TakeBodyField(r *http.Request, name string) string {
	if r.Body == nil {
		return ""
	}
	raw, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	var obj map[string]json.RawMessage
	v := ""
	if json.Unmarshal(raw, &obj) == nil {
		_ = json.Unmarshal(obj[name], &v)
		delete(obj, name)
		raw, _ = json.Marshal(obj)
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	r.ContentLength = int64(len(raw))
	return v
}

// Wrap answers 401 with the marketplace's error body for a missing, unknown
// or revoked token; otherwise it notes the store id (StoreFrom) and calls h.
func (t *Tokens) Wrap(render ErrorBody, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := t.Active(BearerToken(r))
		if !ok {
			WriteError(w, render, http.StatusUnauthorized, "Invalid or expired token")
			return
		}
		r, info := withInfo(r)
		info.store = id
		h.ServeHTTP(w, r)
	})
}

// Sessions issues the tokens a marketplace's login call hands out, each
// valid for ttl on the sandbox clock, and can end them all at once.
type Sessions struct {
	tokens *Tokens
	clock  *Clock
	ttl    time.Duration
	size   int // random bytes per token, hex-encoded
	mu     sync.Mutex
	issued []string
}

// NewSessions issues b's session tokens of size random bytes.
func NewSessions(b *Base, ttl time.Duration, size int) *Sessions {
	return &Sessions{tokens: b.tokens, clock: b.clock, ttl: ttl, size: size}
}

// Issue returns a new session token of storeID.
func (s *Sessions) Issue(storeID string) string {
	return s.IssueAs(storeID, func(int) string {
		raw := make([]byte, s.size)
		_, _ = rand.Read(raw)
		return hex.EncodeToString(raw)
	})
}

// IssueAs is Issue with the token name makes for the n-th session (1, 2, …).
func (s *Sessions) IssueAs(storeID string, name func(n int) string) string {
	s.mu.Lock()
	token := name(len(s.issued) + 1)
	s.issued = append(s.issued, token)
	s.mu.Unlock()
	s.tokens.AddExpiring(token, storeID, s.clock.Now().Add(s.ttl))
	return token
}

// Issued counts the sessions issued so far.
func (s *Sessions) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.issued)
}

// ExpireAll ends every session issued so far, as if the lifetime had
// passed.
func (s *Sessions) ExpireAll() {
	s.mu.Lock()
	issued := slices.Clone(s.issued)
	s.mu.Unlock()
	for _, t := range issued {
		s.tokens.Revoke(t)
	}
}
