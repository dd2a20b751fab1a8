// Package httpx is the HTTP client every marketplace client shares: retries
// with exponential backoff that honour Retry-After (extractors/retry), a
// per-store rate limit, per-request timeouts, login sessions (Session), and
// errors that name the store but never a secret.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	"golang.org/x/time/rate"

	"github.com/kramar/kramar/extractors/retry"
	"github.com/kramar/kramar/transforms/decode"
)

// Options configure a Client.
type Options struct {
	// Store names the account in every error.
	Store string
	// BaseURL is prefixed to every path.
	BaseURL string
	// Authorize sets credentials on a request (e.g. a Bearer header). It is
	// the only place a secret touches a request; URLs never carry one.
	Authorize func(*http.Request)
	// Timeout bounds one attempt, headers and body included.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of one call (>= 1).
	MaxAttempts int
	// RatePerSecond limits requests; 0 means unlimited.
	RatePerSecond float64
	// Limiter, when set, is used instead of one built from RatePerSecond:
	// the jobs of one account share it, because the marketplace counts
	// the account's requests, not the job's.
	Limiter *rate.Limiter
	// Observe, when set, hears every HTTP attempt (retries included), for
	// metrics. It must be quick: it runs on the request's goroutine.
	Observe func(Call)
	// InitialBackoff is the first retry wait (default 200ms); tests shorten it.
	InitialBackoff time.Duration
	// MaxRetryAfter caps how long a Retry-After may make us wait (default 2m).
	MaxRetryAfter time.Duration
	// Transport overrides the HTTP transport (default: a shared keep-alive one).
	Transport http.RoundTripper
	// CheckBody, when set, inspects every 2xx body before it is decoded, for
	// APIs that report failures inside a 200 (Rozetka's success:false). A
	// non-nil error fails the attempt: it is retried when it is an *Error of
	// a transient kind (transport, server, bad_body) and final otherwise.
	// An *Error of KindAuth takes part in Reauthorize like an HTTP 401.
	CheckBody func(status int, body []byte) error
	// Reauthorize, when set, is called once per call after the call failed
	// with KindAuth (e.g. an expired session); when it succeeds the call is
	// made again, once. A second auth failure is returned as is.
	Reauthorize func(ctx context.Context) error
	// Session, when set, is the login every call carries: it is made
	// before the first call and when it runs out, put on every attempt
	// after Authorize, and made again once when a call is refused (as
	// Reauthorize, which it takes the place of).
	Session *Session
}

// Client performs JSON calls against one marketplace account.
type Client struct {
	opts    Options
	http    *http.Client
	limiter *rate.Limiter
}

// New returns a Client with defaults filled in.
func New(o Options) *Client {
	if o.MaxAttempts < 1 {
		o.MaxAttempts = 6
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 200 * time.Millisecond
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 2 * time.Minute
	}
	if o.Transport == nil {
		o.Transport = sharedTransport
	}
	if o.Session != nil {
		o.Reauthorize = o.Session.relogin
	}
	lim := o.Limiter
	if lim == nil {
		lim = NewLimiter(o.RatePerSecond)
	}
	return &Client{opts: o, http: &http.Client{Transport: o.Transport}, limiter: lim}
}

// NewLimiter is the limiter of perSecond requests a second (0 = unlimited).
func NewLimiter(perSecond float64) *rate.Limiter {
	if perSecond > 0 {
		return rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	return rate.NewLimiter(rate.Inf, 1)
}

// Call is one HTTP attempt as Options.Observe hears it.
type Call struct {
	Method string
	// Status is the HTTP status; 0 when no answer came (connection
	// refused, timeout).
	Status   int
	Duration time.Duration
}

var sharedTransport = &http.Transport{
	Proxy:               http.ProxyFromEnvironment,
	MaxIdleConnsPerHost: 16,
	IdleConnTimeout:     90 * time.Second,
}

// Store is the account this client speaks for.
func (c *Client) Store() string { return c.opts.Store }

// GetJSON fetches path with query and decodes the JSON body into out,
// retrying transient failures, including bodies that end early.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	return c.Do(ctx, http.MethodGet, path, query, nil, out)
}

// PostJSON sends body as JSON and decodes the answer into out (nil to ignore).
func (c *Client) PostJSON(ctx context.Context, path string, body, out any) error {
	return c.Do(ctx, http.MethodPost, path, nil, body, out)
}

// Do performs one logical call with retries.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("store %s: %s %s: encode body: %w", c.opts.Store, method, path, err)
		}
	}
	target := c.opts.BaseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	if s := c.opts.Session; s != nil {
		if err := s.ensure(ctx); err != nil {
			return err
		}
	}
	attempt, err := c.retry(ctx, method, target, payload, out)
	if err != nil && c.opts.Reauthorize != nil && KindOf(err) == KindAuth {
		if aerr := c.opts.Reauthorize(ctx); aerr != nil {
			return fmt.Errorf("store %s: %s %s: re-authenticating: %w", c.opts.Store, method, path, aerr)
		}
		attempt, err = c.retry(ctx, method, target, payload, out)
	}
	if err != nil {
		return fmt.Errorf("store %s: %s %s (attempt %d of %d): %w", c.opts.Store, method, path, attempt, c.opts.MaxAttempts, err)
	}
	return nil
}

// retry makes up to MaxAttempts attempts with jittered backoff; a
// Retry-After replaces the growing wait. It returns how many it made.
func (c *Client) retry(ctx context.Context, method, target string, payload []byte, out any) (int, error) {
	p := retry.Policy{Attempts: c.opts.MaxAttempts, Wait: c.opts.InitialBackoff, MaxWait: 30 * time.Second, HintRestarts: true}
	return p.Jittered().Do(ctx, func(int) error {
		err := c.once(ctx, method, target, payload, out)
		if err != nil && notRepeatable(ctx) && transient(err) {
			// The change may have landed; only the caller can tell, by
			// reading the marketplace's state before sending it again.
			return retry.Permanent(err)
		}
		return err
	})
}

// once is one attempt; its error says whether to retry.
func (c *Client) once(ctx context.Context, method, target string, payload []byte, out any) error {
	if err := c.limiter.Wait(ctx); err != nil {
		return retry.Permanent(err)
	}
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, method, target, rd)
	if err != nil {
		return retry.Permanent(err)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.opts.Authorize != nil {
		c.opts.Authorize(req)
	}
	if c.opts.Session != nil {
		c.opts.Session.authorize(req)
	}
	sent := time.Now()
	resp, err := c.http.Do(req)
	if c.opts.Observe != nil {
		call := Call{Method: method, Duration: time.Since(sent)}
		if err == nil {
			call.Status = resp.StatusCode
		}
		c.opts.Observe(call)
	}
	if err != nil {
		if ctx.Err() != nil {
			return retry.Permanent(ctx.Err())
		}
		return &Error{Kind: KindTransport, Msg: transportReason(err)}
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if wait > c.opts.MaxRetryAfter {
			return retry.Permanent(&Error{Kind: KindRateLimited, Status: resp.StatusCode, Msg: "rate limited for " + wait.String()})
		}
		wait = (wait + time.Second - 1).Truncate(time.Second) // whole seconds, rounded up
		return retry.After(wait, &Error{Kind: KindRateLimited, Status: resp.StatusCode, Msg: "rate limited"})
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return retry.Permanent(&Error{Kind: KindAuth, Status: resp.StatusCode, Msg: bodyMessage(raw)})
	case resp.StatusCode >= 500:
		return &Error{Kind: KindServer, Status: resp.StatusCode, Msg: bodyMessage(raw)}
	case resp.StatusCode >= 300:
		return retry.Permanent(&Error{Kind: KindRequest, Status: resp.StatusCode, Msg: bodyMessage(raw)})
	}
	if readErr != nil {
		return &Error{Kind: KindTransport, Msg: "reading body: " + transportReason(readErr)}
	}
	if c.opts.CheckBody != nil {
		if err := c.opts.CheckBody(resp.StatusCode, raw); err != nil {
			if transient(err) {
				return err
			}
			return retry.Permanent(err)
		}
	}
	if out == nil {
		return nil
	}
	// goccy/go-json: same results as encoding/json on these bodies, several
	// times faster on the large list pages that dominate a pull.
	if err := gojson.Unmarshal(raw, out); err != nil {
		if json.Valid(raw) {
			// Whole JSON of another shape than expected (a field of another
			// type): read what can be read, as the transforms do, rather
			// than fail the call; repeating it would not change the answer.
			if derr := decode.Into(raw, out); derr != nil {
				return retry.Permanent(&Error{Kind: KindBadBody, Status: resp.StatusCode, Msg: "unexpected JSON: " + derr.Error()})
			}
			return nil
		}
		// A 200 whose JSON does not parse is almost always a body cut short
		// by the network; the same request usually succeeds when repeated.
		return &Error{Kind: KindBadBody, Status: resp.StatusCode, Msg: "invalid JSON body: " + err.Error()}
	}
	return nil
}

type notRepeatableKey struct{}

// NotRepeatable marks the calls made with the returned context as changes
// that must not be sent twice blindly: a lost answer (timeout, 5xx, a cut
// body) ends the call at once, because the marketplace may have applied
// it. Answers that prove nothing was applied (429, a re-login) are still
// retried.
func NotRepeatable(ctx context.Context) context.Context {
	return context.WithValue(ctx, notRepeatableKey{}, true)
}

func notRepeatable(ctx context.Context) bool {
	v, _ := ctx.Value(notRepeatableKey{}).(bool)
	return v
}

// Uncertain reports whether err leaves it unknown if a NotRepeatable call
// took effect (as opposed to a refusal, which proves it did not).
func Uncertain(err error) bool { return transient(err) }

// Kind classifies a failure for run records and retry decisions.
type Kind string

const (
	KindTransport   Kind = "transport"    // connection, timeout
	KindServer      Kind = "server"       // 5xx
	KindRateLimited Kind = "rate_limited" // 429 beyond patience
	KindAuth        Kind = "auth_failed"  // 401/403
	KindRequest     Kind = "request"      // other 4xx
	KindBadBody     Kind = "bad_body"     // 2xx with an unreadable body
)

// Error is a classified HTTP failure. It never carries request headers.
type Error struct {
	Kind   Kind
	Status int
	Msg    string
	// Err is the marketplace's own error behind it, if any (e.g. an error
	// code read from the body by CheckBody); errors.As reaches it.
	Err error
}

// Unwrap returns the marketplace's error behind e, if any.
func (e *Error) Unwrap() error { return e.Err }

// transient reports whether a retry may help with err.
func transient(err error) bool {
	switch KindOf(err) {
	case KindTransport, KindServer, KindBadBody:
		return true
	}
	return false
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s (HTTP %d): %s", e.Kind, e.Status, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Msg)
}

// KindOf returns the Kind of err, or "" when err is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// StatusOf returns the HTTP status of a failed call, or 0 when no answer
// came (or err is not an *Error).
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// retryAfter is the wait a 429 asks for (retry.ParseAfter), a second when
// its Retry-After is missing or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	if d, ok := retry.ParseAfter(v, now); ok {
		return d
	}
	return time.Second
}

// bodyMessage pulls a short human message out of an error body.
func bodyMessage(raw []byte) string {
	var m struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	}
	if json.Unmarshal(raw, &m) == nil {
		switch {
		case m.Message != "":
			return m.Message
		case m.Detail != "":
			return m.Detail
		case m.Error != nil:
			if s, ok := m.Error.(string); ok {
				return s
			}
			b, _ := json.Marshal(m.Error)
			return string(b)
		}
	}
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// transportReason drops the URL a *url.Error repeats, keeping the cause.
func transportReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}
