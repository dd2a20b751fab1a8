package prom_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
	"github.com/kramar/kramar/schema/canon"
)

// Prom's answer to a repeated save_declaration_id with the waybill the
// order has, as the integration with attach_prom_declaration_id saw it on
// a live account. The client reports it as it is; the pusher reads the
// order back (pipeline/connectors/prom).
func TestSaveDeclarationRepeatAnswerIsReportedWithItsMessage(t *testing.T) {
	c, calls := answering(t, `{"status":"error","message":"Этот ЭН уже добавлен к данному заказу"}`)
	err := c.SaveDeclaration(context.Background(), 338390710, "20451069857325", "nova_poshta")
	var refused *prom.RefusedError
	if !errors.As(err, &refused) || refused.Reason != `status "error": Этот ЭН уже добавлен к данному заказу` || calls.Load() != 1 {
		t.Fatalf("err = %v after %d calls", err, calls.Load())
	}
}

// headerServer records the X-LANGUAGE of every request and answers body.
func headerServer(t *testing.T, body string) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.Header.Get(prom.LanguageHeader))
		mu.Unlock()
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// Without X-LANGUAGE Prom names statuses and options in Russian (real orders
// carry «Новый»; ruslanmlnk/opencart-plugin sends X-LANGUAGE uk/ru/en):
// every call asks for Ukrainian unless the store chose otherwise.
func TestEveryCallNamesTheAnswerLanguage(t *testing.T) {
	for _, tc := range []struct {
		opts []prom.ClientOption
		want string
	}{{nil, "uk"}, {[]prom.ClientOption{prom.WithLanguage("")}, "uk"}, {[]prom.ClientOption{prom.WithLanguage(" RU ")}, "ru"}} {
		base, seen := headerServer(t, `{"status":"success","order":{"id":1}}`)
		c := prom.NewClient(source.Config{Store: "shop", BaseURL: base, Token: "tok",
			HTTP: httpx.Options{Timeout: time.Second, MaxAttempts: 1}}, tc.opts...)
		if _, err := c.Get(context.Background(), "1"); err != nil {
			t.Fatal(err)
		}
		if err := c.SaveDeclaration(context.Background(), 1, "20450000000017", "nova_poshta"); err != nil {
			t.Fatal(err)
		}
		if got := seen(); !reflect.DeepEqual(got, []string{"GET " + tc.want, "POST " + tc.want}) {
			t.Errorf("options %d: X-LANGUAGE %v, want %s", len(tc.opts), got, tc.want)
		}
	}
}

// Pulled from the sandbox, which answers in Russian without the header,
// orders come with Ukrainian status names.
func TestPulledOrdersCarryUkrainianStatusNames(t *testing.T) {
	sb := promsb.New(promsb.Options{Clock: kit.NewClock(testNow), Seed: 11})
	sb.AddStore("tok", 0)
	sb.AddOrder("tok", func(o *prom.Order) { o.Status = "pending" })
	var names []string
	for _, body := range sourcetest.Bodies(t, newClient(t, sb, source.Config{}), testNow.Add(-time.Hour), testNow) {
		var o prom.Order
		if err := json.Unmarshal(body, &o); err != nil {
			t.Fatal(err)
		}
		names = append(names, o.StatusName)
	}
	if !reflect.DeepEqual(names, []string{"Нове"}) {
		t.Fatalf("status names %v", names)
	}
}

// /order_status_options/list has no published item schema: {name, title}
// in two integrations (Acrit\Core\Crm\Plugins\TiuRuHelpers, App\Modules\PU),
// {id, name, code} in a TypeScript client. Both give the status as orders
// carry it.
func TestStatusOptionsInBothPublishedShapes(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []canon.Option
	}{
		{"name/title", `{"order_status_options":[{"name":"pending","title":"Нове"},{"id":137639,"name":"custom-137639","title":"Підтверджено"}]}`,
			[]canon.Option{{Kind: "status", ID: "pending", Name: "Нове", Active: true}, {Kind: "status", ID: "custom-137639", Name: "Підтверджено", Extra: "137639", Active: true}}},
		{"id/name/code", `{"status":"success","order_status_options":[{"id":1,"name":"Нове","code":"pending"},{"id":137639,"name":"Підтверджено","code":""}]}`,
			[]canon.Option{{Kind: "status", ID: "pending", Name: "Нове", Active: true}, {Kind: "status", ID: "custom-137639", Name: "Підтверджено", Extra: "137639", Active: true}}},
		{"bare id as name", `{"order_status_options":[{"name":"137640","title":"Очікує передоплату"}]}`,
			[]canon.Option{{Kind: "status", ID: "custom-137640", Name: "Очікує передоплату", Extra: "137640", Active: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/order_status_options/list") {
					_, _ = w.Write([]byte(tc.body))
					return
				}
				_, _ = w.Write([]byte(`{}`))
			}))
			t.Cleanup(srv.Close)
			c := prom.NewClient(source.Config{Store: "shop", BaseURL: srv.URL, Token: "tok", HTTP: httpx.Options{MaxAttempts: 1}})
			got, err := c.Options(context.Background())
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Options = %+v, %v\nwant %+v", got, err, tc.want)
			}
		})
	}
}

// An account without the status list still lists its payment options.
func TestStatusOptionsMissingOnTheAccount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/order_status_options/list"):
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"Not found"}`))
		case strings.HasSuffix(r.URL.Path, "/payment_options/list"):
			_, _ = w.Write([]byte(`{"payment_options":[{"id":7547964,"name":"Пром-оплата"}]}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(srv.Close)
	c := prom.NewClient(source.Config{Store: "shop", BaseURL: srv.URL, Token: "tok", HTTP: httpx.Options{MaxAttempts: 1}})
	got, err := c.Options(context.Background())
	if err != nil || len(got) != 1 || got[0].Name != "Пром-оплата" {
		t.Fatalf("Options = %+v, %v", got, err)
	}
}

// The sandbox's status list reads as the company's statuses, custom ones
// with the custom_status_id that sets them.
func TestSandboxStatusOptionsThroughTheClient(t *testing.T) {
	sb := promsb.New(promsb.Options{Seed: 1})
	sb.AddStore("tok", 0)
	opts, err := newClient(t, sb, source.Config{}).Options(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]canon.Option{}
	for _, o := range opts {
		if o.Kind == canon.OptionStatus {
			statuses[o.ID] = o
		}
	}
	if got := statuses["pending"]; got.Name != "Нове" || got.Extra != "" {
		t.Errorf("pending: %+v", got)
	}
	if got := statuses["custom-137639"]; got.Name != "Підтверджено" || got.Extra != "137639" || !got.Active {
		t.Errorf("custom-137639: %+v", got)
	}
	if len(statuses) != 9 {
		t.Errorf("%d statuses: %v", len(statuses), statuses)
	}
}

func TestCustomStatusID(t *testing.T) {
	for in, want := range map[string]int64{"custom-137639": 137639, " Custom-5 ": 5, "custom-": 0, "custom-x1": 0, "pending": 0, "137639": 0} {
		got, ok := prom.CustomStatusID(in)
		if got != want || ok != (want != 0) {
			t.Errorf("CustomStatusID(%q) = %d, %v", in, got, ok)
		}
	}
}
