package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// session is one login, kept in this process's memory only: a restart
// ends every session, and each worker has its own.
type session struct {
	user    string
	role    Role
	csrf    string // the token every POST of the session must carry
	expires time.Time
}

// sessions are the logins under way, by the SHA-256 of their id: the id
// itself, which the cookie carries, is never kept, so not even a look-up's
// timing depends on it.
type sessions struct {
	mu   sync.Mutex
	by   map[[sha256.Size]byte]session
	ttl  time.Duration
	now  func() time.Time
	last time.Time // of the last sweep of expired sessions
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{by: map[[sha256.Size]byte]session{}, ttl: ttl, now: now}
}

// randomToken is 32 bytes from crypto/rand, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session of user and returns its id, for the cookie.
func (s *sessions) create(user string, role Role) (string, session) {
	id := randomToken()
	now := s.now()
	sess := session{user: user, role: role, csrf: randomToken(), expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.by[sha256.Sum256([]byte(id))] = sess
	// Sessions nobody comes back for are dropped here, at most once a minute.
	if now.Sub(s.last) >= time.Minute {
		s.last = now
		for k, v := range s.by {
			if !now.Before(v.expires) {
				delete(s.by, k)
			}
		}
	}
	return id, sess
}

// get finds the session of id; an expired one is dropped.
func (s *sessions) get(id string) (session, bool) {
	if id == "" {
		return session{}, false
	}
	k := sha256.Sum256([]byte(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.by[k]
	if ok && !s.now().Before(sess.expires) {
		delete(s.by, k)
		return session{}, false
	}
	return sess, ok
}

// end forgets the session of id.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.by, sha256.Sum256([]byte(id)))
}

// count is the number of sessions held, expired ones not yet dropped
// included (for tests).
func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.by)
}
