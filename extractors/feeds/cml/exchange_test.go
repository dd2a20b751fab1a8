package cml

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
)

// site answers the exchange like a PHP shop: refusals with HTTP 200.
func site(t *testing.T, query []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("mode") {
		case "checkauth":
			if u, p, _ := r.BasicAuth(); u != "1c" || p != "s3cret" {
				w.Write([]byte("failure\nНеверный логин или пароль\n"))
				return
			}
			w.Write([]byte("\ufeffsuccess\nsid\nabc\n"))
		case "init":
			w.Write([]byte("zip=yes\nfile_limit=1000\n"))
		case "query":
			if c, err := r.Cookie("sid"); err != nil || c.Value != "abc" {
				w.Write([]byte("failure\nno session\n"))
				return
			}
			w.Write(query)
		case "success":
			w.Write([]byte("success\n"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/bitrix/admin/1c_exchange.php"
}

func TestExchangeRefusalWith200(t *testing.T) {
	ex := NewExchange(source.Config{Store: "shop", BaseURL: site(t, nil), Username: "1c", Password: "wrong-pw", HTTP: httpx.Options{InitialBackoff: time.Millisecond}})
	_, err := ex.CheckAuth(context.Background())
	if httpx.KindOf(err) != httpx.KindAuth || !strings.Contains(err.Error(), "Неверный логин") || strings.Contains(err.Error(), "wrong-pw") || !strings.Contains(err.Error(), "shop") {
		t.Fatalf("got %v", err)
	}
}

func TestExchangeZipAnswer(t *testing.T) {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	f, _ := zw.Create("orders.xml")
	f.Write(mustRead(t, "orders_cp1251.xml"))
	zw.Close()

	ex := NewExchange(source.Config{Store: "shop", BaseURL: site(t, zbuf.Bytes()), Username: "1c", Password: "s3cret", HTTP: httpx.Options{InitialBackoff: time.Millisecond}})
	var got []source.RawOrder
	err := ex.ModifiedBetween(context.Background(), time.Time{}, time.Now(), func(p []source.RawOrder) error {
		got = append(got, p...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "10501" || got[1].ID != "10502" {
		t.Fatalf("got %v", got)
	}
	if in, err := ex.Init(context.Background()); err != nil || !in.Zip || in.FileLimit != 1000 {
		t.Fatalf("init %+v, %v", in, err)
	}
}
