package httpx

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Session is a login token shared by the calls of one client (put it in
// Options.Session): it logs in before the first call and when the token's
// lifetime runs out, puts the token on every attempt, and logs in once more
// when a call is refused (an expired or revoked session).
type Session struct {
	// Login obtains a new token and its lifetime (0: unknown, used until a
	// call is refused). Its ctx carries no values, so a login is retried as
	// usual even for an httpx.NotRepeatable write.
	Login func(ctx context.Context) (token string, ttl time.Duration, err error)
	// Apply puts the token on a request: a header, the query, or a field
	// of the JSON body (see RewriteBody). It is not called without a token.
	Apply func(r *http.Request, token string)
	// Early renews a token this long before its lifetime ends.
	Early time.Duration

	login    sync.Mutex // one login at a time
	mu       sync.Mutex
	token    string
	deadline time.Time // zero: no known end
	logins   int
}

// SetToken starts the session with a token obtained elsewhere (a static
// API token); it is used until a call is refused.
func (s *Session) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.deadline = token, time.Time{}
}

// Logins counts the logins made so far (tests check re-login happens once).
func (s *Session) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

func (s *Session) fresh() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token != "" && (s.deadline.IsZero() || time.Now().Before(s.deadline))
}

// ensure logs in unless a fresh token is held; concurrent first calls make
// one login.
func (s *Session) ensure(ctx context.Context) error {
	if s.fresh() {
		return nil
	}
	s.login.Lock()
	defer s.login.Unlock()
	if s.fresh() {
		return nil
	}
	return s.renew(ctx)
}

// relogin replaces a refused token (Options.Reauthorize).
func (s *Session) relogin(ctx context.Context) error {
	s.login.Lock()
	defer s.login.Unlock()
	return s.renew(ctx)
}

func (s *Session) renew(ctx context.Context) error {
	token, ttl, err := s.Login(loginContext{ctx})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.deadline = token, time.Time{}
	if ttl > 0 {
		s.deadline = time.Now().Add(ttl - s.Early)
	}
	s.logins++
	return nil
}

func (s *Session) authorize(r *http.Request) {
	s.mu.Lock()
	token := s.token
	s.mu.Unlock()
	if token != "" {
		s.Apply(r, token)
	}
}

// loginContext keeps a context's deadline and cancellation and drops its
// values: a login repeats harmlessly, so it is retried as usual even when
// the call that needed it is an httpx.NotRepeatable write.
type loginContext struct{ context.Context }

func (loginContext) Value(any) any { return nil }

// RewriteBody replaces a request's body with edit(body) (an empty body when
// it has none) so that every attempt, a repeat after a new login included,
// sends the edited body.
func RewriteBody(r *http.Request, edit func([]byte) []byte) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
	}
	body = edit(body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// Bearer puts token in the Authorization header (Session.Apply).
func Bearer(r *http.Request, token string) { r.Header.Set("Authorization", "Bearer "+token) }
