// Package fetch opens a product feed — an http(s) URL, a file:// URL or a
// local path — as a stream: the body is never held whole. It sends a
// conditional GET from the previous pull's validators (a 304 means the
// feed has not changed), decompresses gzip (Content-Encoding, a .gz file,
// or gzip bytes however they are labelled), bounds the size, and retries
// connection failures and 5xx answers before the body starts.
//
// The JSON client in extractors/httpx reads whole bodies to decode them,
// which a 1 GB feed cannot afford; this is its streaming sibling and
// follows the same rule: errors name the feed by scheme, host and path
// only — never by userinfo or query, where feed tokens live.
package fetch

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/retry"
)

// Validators identify the version of a feed a previous pull saw.
type Validators struct {
	ETag         string
	LastModified string
}

// Meta describes an opened feed.
type Meta struct {
	// Validators to store for the next pull's conditional GET.
	Validators
	// Source is the feed's address without credentials or query.
	Source string
	// Compressed is true when the feed came gzipped.
	Compressed bool
}

// Options tune Open.
type Options struct {
	// MaxBytes fails the read past this many (decompressed) bytes; 0 means
	// no limit.
	MaxBytes int64
	// ConnectTimeout bounds dialing and the TLS handshake (default 10s).
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for the response headers (default
	// 60s). The body then streams for as long as ctx allows.
	HeaderTimeout time.Duration
	// MaxAttempts bounds attempts on connection errors and 5xx (default 4).
	MaxAttempts int
	// InitialBackoff is the first retry wait, doubled each time (default 500ms).
	InitialBackoff time.Duration
	// Header is added to every request (e.g. Authorization).
	Header http.Header
	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper
}

// ErrTooLarge is wrapped by the read error of a feed past MaxBytes.
var ErrTooLarge = errors.New("feed too large")

// Open starts reading the feed at src. When prev matches the feed's
// current version it returns notModified and no body. The caller closes
// body.
func Open(ctx context.Context, src string, prev Validators, opts Options) (body io.ReadCloser, meta Meta, notModified bool, err error) {
	opts = opts.withDefaults()
	u, err := url.Parse(src)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return openHTTP(ctx, u, prev, opts)
	}
	path := src
	if err == nil && u.Scheme == "file" {
		path = u.Path
	}
	return openFile(path, prev, opts)
}

func (o Options) withDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 60 * time.Second
	}
	if o.MaxAttempts < 1 {
		o.MaxAttempts = 4
	}
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 500 * time.Millisecond
	}
	return o
}

// Redact names a feed URL without userinfo or query.
func Redact(u *url.URL) string {
	s := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		s += "?…"
	}
	return s
}

func openFile(path string, prev Validators, opts Options) (io.ReadCloser, Meta, bool, error) {
	meta := Meta{Source: path}
	f, err := os.Open(path)
	if err != nil {
		return nil, meta, false, fmt.Errorf("fetch: %w", err)
	}
	if st, err := f.Stat(); err == nil {
		// A file's version is its size and its modification time to the
		// nanosecond: a feed rewritten within the same second (HTTP dates
		// have whole seconds) must not pass for unchanged.
		meta.LastModified = st.ModTime().UTC().Format(http.TimeFormat)
		meta.ETag = fmt.Sprintf("file:%d:%d", st.Size(), st.ModTime().UnixNano())
		if prev.ETag != "" && prev.ETag == meta.ETag {
			f.Close()
			return nil, meta, true, nil
		}
	}
	body, compressed, err := decompress(f, false, opts.MaxBytes, meta.Source)
	if err != nil {
		f.Close()
		return nil, meta, false, err
	}
	meta.Compressed = compressed
	return body, meta, false, nil
}

func openHTTP(ctx context.Context, u *url.URL, prev Validators, opts Options) (io.ReadCloser, Meta, bool, error) {
	meta := Meta{Source: Redact(u)}
	client := &http.Client{Transport: transport(opts)}
	var resp *http.Response
	p := retry.Policy{Attempts: opts.MaxAttempts, Wait: opts.InitialBackoff}
	if _, err := p.Do(ctx, func(attempt int) error {
		r, again, err := get(ctx, client, u, prev, opts)
		if err != nil {
			err = fmt.Errorf("fetch: GET %s (attempt %d of %d): %w", meta.Source, attempt, opts.MaxAttempts, err)
			if !again {
				return retry.Permanent(err)
			}
			return err
		}
		resp = r
		return nil
	}); err != nil {
		return nil, meta, false, err
	}
	meta.ETag = resp.Header.Get("ETag")
	meta.LastModified = resp.Header.Get("Last-Modified")
	if resp.StatusCode == http.StatusNotModified {
		resp.Body.Close()
		if meta.ETag == "" && meta.LastModified == "" {
			meta.Validators = prev // a 304 need not repeat them
		}
		return nil, meta, true, nil
	}
	encoded := strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip")
	body, compressed, err := decompress(resp.Body, encoded, opts.MaxBytes, meta.Source)
	if err != nil {
		resp.Body.Close()
		return nil, meta, false, err
	}
	meta.Compressed = compressed
	return body, meta, false, nil
}

// get makes one attempt; its bool says whether another may help.
func get(ctx context.Context, client *http.Client, u *url.URL, prev Validators, opts Options) (*http.Response, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, false, errors.New("bad request")
	}
	for k, vs := range opts.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	// Asking for gzip ourselves turns off the transport's transparent
	// decompression, so the feed is decoded once, here, and Meta says so.
	req.Header.Set("Accept-Encoding", "gzip")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, true, errors.New(transportReason(err))
	}
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotModified:
		return resp, false, nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		resp.Body.Close()
		return nil, true, fmt.Errorf("HTTP %d", resp.StatusCode)
	default:
		resp.Body.Close()
		return nil, false, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
}

func transport(opts Options) http.RoundTripper {
	if opts.Transport != nil {
		return opts.Transport
	}
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		ResponseHeaderTimeout: opts.HeaderTimeout,
		DisableCompression:    true,
	}
}

// transportReason keeps a transport error's cause and drops the URL a
// *url.Error repeats (it may carry a token in its query).
func transportReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
		return "timed out"
	}
	return err.Error()
}

// decompress unwraps gzip — announced by Content-Encoding or recognised
// by its magic bytes — and applies the size limit to what comes out.
func decompress(raw io.ReadCloser, encoded bool, maxBytes int64, source string) (io.ReadCloser, bool, error) {
	var r io.Reader = raw
	compressed := false
	for layer := 0; layer < 2; layer++ {
		br := bufio.NewReaderSize(r, 64<<10)
		magic, _ := br.Peek(2)
		r = br
		if !encoded && !(len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
			break
		}
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, false, fmt.Errorf("fetch: %s: bad gzip: %w", source, err)
		}
		r, compressed, encoded = zr, true, false
	}
	return &body{r: r, closer: raw, left: maxBytes, limited: maxBytes > 0, max: maxBytes, source: source}, compressed, nil
}

// body is the stream handed out: reads are bounded, Close closes the source.
type body struct {
	r       io.Reader
	closer  io.Closer
	limited bool
	left    int64
	max     int64
	source  string
}

func (b *body) Read(p []byte) (int, error) {
	if b.limited && int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if b.limited {
		b.left -= int64(n)
		if b.left < 0 {
			return n + int(b.left), fmt.Errorf("fetch: %s: feed exceeds %d bytes: %w", b.source, b.max, ErrTooLarge)
		}
	}
	if err != nil && err != io.EOF {
		err = fmt.Errorf("fetch: %s: reading: %s", b.source, transportReason(err))
	}
	return n, err
}

func (b *body) Close() error { return b.closer.Close() }
