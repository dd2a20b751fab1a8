package cml

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
)

// Exchange is the 1C side of the 1C ↔ site exchange for orders
// (https://tqm.com.ua/likbez/integraciya-1c/protokol-obmena-1s-s-saitom):
// the site is the endpoint, we pull like 1C does.
//
//	GET ?type=sale&mode=checkauth  (HTTP Basic) → "success\n<cookie name>\n<cookie value>"
//	GET ?type=sale&mode=init       (cookie)     → "zip=yes|no\nfile_limit=<bytes>"
//	GET ?type=sale&mode=query      (cookie)     → the orders as a CML file
//	GET ?type=sale&mode=success    (cookie)     → the site marks them exported
//
// A refusal is answered "failure\n<reason>", even with HTTP 200. Exchange
// implements source.Orders.
type Exchange struct {
	get *getter
}

// Session is the cookie checkauth hands out.
type Session struct {
	Name, Value string
}

// InitInfo is the answer to mode=init.
type InitInfo struct {
	Zip       bool
	FileLimit int64
}

// NewExchange talks to the exchange endpoint c.BaseURL (e.g.
// https://shop/1c_exchange.php) with c.Username / c.Password as HTTP Basic
// credentials for checkauth.
func NewExchange(c source.Config) *Exchange {
	return &Exchange{get: newGetter(c)}
}

// CheckAuth logs in and keeps the session cookie for the next calls.
func (e *Exchange) CheckAuth(ctx context.Context) (Session, error) {
	e.get.setCookie("")
	lines, err := e.call(ctx, "checkauth")
	if err != nil {
		return Session{}, err
	}
	if len(lines) < 3 || lines[1] == "" {
		return Session{}, fmt.Errorf("store %s: 1C exchange checkauth: answer has no cookie", e.get.http.Store())
	}
	s := Session{Name: lines[1], Value: lines[2]}
	e.get.setCookie(s.Name + "=" + s.Value)
	return s, nil
}

// Init reads the site's exchange settings.
func (e *Exchange) Init(ctx context.Context) (InitInfo, error) {
	body, err := e.get.get(ctx, params("init"), refusal("init"))
	if err != nil {
		return InitInfo{}, err
	}
	var in InitInfo
	for _, line := range strings.Split(string(body), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch strings.TrimSpace(k) {
		case "zip":
			in.Zip = strings.TrimSpace(v) == "yes"
		case "file_limit":
			in.FileLimit, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return in, nil
}

// Query fetches the orders the site has for 1C, as a parsed CML file; a
// zip answer (zip=yes sites) is unpacked.
func (e *Exchange) Query(ctx context.Context) (*Info, error) {
	var info *Info
	_, err := e.get.get(ctx, params("query"), func(body []byte) error {
		if err := refusal("query")(body); err != nil {
			return err
		}
		xmlBody, err := unzipped(body)
		if err == nil {
			info, err = Parse(xmlBody)
		}
		if err != nil {
			return &httpx.Error{Kind: httpx.KindBadBody, Status: http.StatusOK, Msg: err.Error(), Err: err}
		}
		return nil
	})
	return info, err
}

// Success confirms the last query; the site stops offering those orders
// until they change again.
func (e *Exchange) Success(ctx context.Context) error {
	_, err := e.call(ctx, "success")
	return err
}

// Pull is one exchange session: checkauth, init, query.
func (e *Exchange) Pull(ctx context.Context) (*Info, error) {
	if _, err := e.CheckAuth(ctx); err != nil {
		return nil, err
	}
	if _, err := e.Init(ctx); err != nil {
		return nil, err
	}
	return e.Query(ctx)
}

// ModifiedBetween pulls the orders and hands on those changed in [from,
// to] (see Info.InWindow). It does not confirm them: Confirm does, once
// they are loaded, as 1C sends mode=success after loading; until then the
// site offers them again.
func (e *Exchange) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	info, err := e.Pull(ctx)
	if err != nil {
		return err
	}
	return deliver(info, from, to, page)
}

// Confirm tells the site the orders pulled are loaded (mode=success).
func (e *Exchange) Confirm(ctx context.Context) error { return e.Success(ctx) }

// Get pulls (without confirming) and returns the order with Ид (or Номер)
// id; *source.NotFoundError when the site does not offer it now.
func (e *Exchange) Get(ctx context.Context, id string) (source.RawOrder, error) {
	info, err := e.Pull(ctx)
	if err != nil {
		return source.RawOrder{}, err
	}
	return info.find(id)
}

// call makes a text call whose answer must start with "success".
func (e *Exchange) call(ctx context.Context, mode string) ([]string, error) {
	body, err := e.get.get(ctx, params(mode), refusal(mode))
	if err != nil {
		return nil, err
	}
	lines := answerLines(body)
	if len(lines) == 0 || !strings.EqualFold(lines[0], "success") {
		return nil, fmt.Errorf("store %s: 1C exchange %s: unexpected answer %q", e.get.http.Store(), mode, shortText(body))
	}
	return lines, nil
}

func params(mode string) map[string]string {
	return map[string]string{"type": "sale", "mode": mode}
}

// refusal turns a "failure\n<reason>" answer into an error: an auth
// failure for checkauth, a final request failure otherwise. The reason is
// the site's text; the password never reaches it from here.
func refusal(mode string) func([]byte) error {
	return func(body []byte) error {
		lines := answerLines(body)
		if len(lines) == 0 || !strings.EqualFold(lines[0], "failure") {
			return nil
		}
		kind := httpx.KindRequest
		if mode == "checkauth" {
			kind = httpx.KindAuth
		}
		reason := strings.Join(lines[1:], " ")
		return &httpx.Error{Kind: kind, Status: http.StatusOK, Msg: "1C exchange " + mode + ": failure: " + shortText([]byte(reason))}
	}
}

// answerLines splits a text answer into trimmed lines; a BOM some PHP
// sites print is dropped.
func answerLines(body []byte) []string {
	s := strings.TrimPrefix(string(body), "\ufeff")
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

// unzipped returns body, or the first .xml file of it when it is a zip.
func unzipped(body []byte) ([]byte, error) {
	if !bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		return body, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return nil, fmt.Errorf("zip answer: %w", err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("zip answer: %w", err)
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, MaxFileBytes+1))
		if err != nil {
			return nil, fmt.Errorf("zip answer: %w", err)
		}
		return data, nil
	}
	return nil, fmt.Errorf("zip answer holds no .xml file")
}

// shortText is the start of a text answer, as one line.
func shortText(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
