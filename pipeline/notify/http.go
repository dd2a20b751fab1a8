package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/retry"
)

// defaultTimeout bounds one send when the sender has no client of its own.
const defaultTimeout = 15 * time.Second

// postJSON makes one POST of v to addr. The error never names addr: the bot
// token sits in Telegram's path and a webhook URL may hold a key.
// answer is the receiver's reply to one POST.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func postJSON(ctx context.Context, client *http.Client, channel, addr string, v any) (answer, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return answer{}, &Error{Channel: channel, Msg: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, addr, bytes.NewReader(payload))
	if err != nil {
		return answer{}, &Error{Channel: channel, Msg: "bad address (not shown: it may hold a secret)"}
	}
	req.Header.Set("Content-Type", "application/json")
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the address; keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return answer{}, &Error{Channel: channel, Temporary: ctx.Err() == nil, Msg: scrub(err.Error(), addr)}
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.body, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return a, &Error{Channel: channel, Status: resp.StatusCode, Temporary: true, Msg: "answer cut short: " + scrub(err.Error(), addr)}
	}
	return a, nil
}

// statusError classifies a non-2xx answer: 429 and 5xx may pass, the rest
// (a wrong chat, a revoked token) will not.
func statusError(channel string, status int, header http.Header, msg string) *Error {
	e := &Error{Channel: channel, Status: status, Msg: msg,
		Temporary: status == http.StatusTooManyRequests || status >= 500}
	if d, ok := retry.ParseAfter(header.Get("Retry-After"), time.Now()); ok && d > 0 {
		e.RetryAfter = d
	}
	return e
}

// scrub removes a secret address and its path from a message.
func scrub(msg, addr string) string {
	msg = strings.ReplaceAll(msg, addr, "<address>")
	if u, err := url.Parse(addr); err == nil && len(u.Path) > 1 {
		msg = strings.ReplaceAll(msg, u.Path, "<path>")
	}
	return msg
}

// short cuts an answer for a message.
func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
