package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const feed = `<?xml version="1.0" encoding="UTF-8"?><yml_catalog><shop><name>Лапа</name></shop></yml_catalog>`

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readAll(t *testing.T, src string, prev Validators, opts Options) (string, Meta, bool) {
	t.Helper()
	body, meta, notModified, err := Open(context.Background(), src, prev, opts)
	if err != nil {
		t.Fatal(err)
	}
	if notModified {
		if body != nil {
			t.Fatal("a body with notModified")
		}
		return "", meta, true
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), meta, false
}

func TestConditionalGet(t *testing.T) {
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Wed, 01 May 2024 10:00:00 GMT")
		io.WriteString(w, feed)
	}))
	defer srv.Close()
	got, meta, nm := readAll(t, srv.URL+"/feed.xml?token=s3cr3t", Validators{}, Options{})
	if nm || got != feed || meta.ETag != `"v1"` || meta.LastModified != "Wed, 01 May 2024 10:00:00 GMT" || meta.Compressed {
		t.Fatalf("first pull: %v %+v", nm, meta)
	}
	if strings.Contains(meta.Source, "s3cr3t") {
		t.Errorf("source leaks the query: %s", meta.Source)
	}
	_, meta2, nm := readAll(t, srv.URL+"/feed.xml?token=s3cr3t", meta.Validators, Options{})
	if !nm || meta2.ETag != `"v1"` || gets.Load() != 2 {
		t.Fatalf("second pull: %v %+v after %d GETs", nm, meta2, gets.Load())
	}
}

func TestGzip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		if r.URL.Path == "/encoded" {
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.Write(gz(t, feed))
	}))
	defer srv.Close()
	for _, path := range []string{"/encoded", "/feed.xml.gz"} {
		got, meta, _ := readAll(t, srv.URL+path, Validators{}, Options{})
		if got != feed || !meta.Compressed {
			t.Errorf("%s: %q %+v", path, got, meta)
		}
	}
}

func TestRetriesServerErrorsThenFails(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		io.WriteString(w, feed)
	}))
	defer srv.Close()
	got, _, _ := readAll(t, srv.URL, Validators{}, Options{InitialBackoff: time.Millisecond})
	if got != feed || n.Load() != 3 {
		t.Fatalf("%d attempts", n.Load())
	}
	n.Store(-100)
	_, _, _, err := Open(context.Background(), srv.URL+"/f?key=s3cr3t", Validators{}, Options{InitialBackoff: time.Millisecond, MaxAttempts: 2})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "(attempt 2 of 2): HTTP 502") {
		t.Fatalf("got %v", err)
	}
	n.Store(0)
	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	_, _, _, err = Open(context.Background(), srv404.URL, Validators{}, Options{InitialBackoff: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "(attempt 1 of 4): HTTP 404") {
		t.Fatalf("404: %v", err)
	}
}

func TestSizeLimit(t *testing.T) {
	big := strings.Repeat("x", 10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(gz(t, big)) // tiny compressed, large inflated: the limit counts inflated bytes
	}))
	defer srv.Close()
	body, _, _, err := Open(context.Background(), srv.URL, Validators{}, Options{MaxBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	n, err := io.Copy(io.Discard, body)
	if !errors.Is(err, ErrTooLarge) || n != 4096 {
		t.Fatalf("read %d: %v", n, err)
	}
	body2, _, _, _ := Open(context.Background(), srv.URL, Validators{}, Options{MaxBytes: 10000})
	defer body2.Close()
	if n, err := io.Copy(io.Discard, body2); err != nil || n != 10000 {
		t.Fatalf("exact limit: %d %v", n, err)
	}
}

func TestLocalFiles(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "feed.xml")
	packed := filepath.Join(dir, "feed.xml.gz")
	os.WriteFile(plain, []byte(feed), 0o644)
	os.WriteFile(packed, gz(t, feed), 0o644)
	for _, src := range []string{plain, "file://" + plain, packed} {
		got, meta, _ := readAll(t, src, Validators{}, Options{})
		if got != feed || meta.LastModified == "" || meta.Compressed != strings.HasSuffix(src, ".gz") {
			t.Errorf("%s: %q %+v", src, got, meta)
		}
	}
	_, meta, _ := readAll(t, plain, Validators{}, Options{})
	if _, _, nm := readAll(t, plain, meta.Validators, Options{}); !nm {
		t.Error("an unchanged file should be not modified")
	}
	if _, _, _, err := Open(context.Background(), filepath.Join(dir, "missing.xml"), Validators{}, Options{}); err == nil {
		t.Error("missing file opened")
	}
}
