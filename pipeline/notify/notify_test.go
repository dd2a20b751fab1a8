package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/pipeline/notify"
	"github.com/kramar/kramar/sandbox/telegram"
)

const token = "123456:SECRET-bot-token"

func fakeBot(t *testing.T) (*telegram.Sandbox, *notify.Telegram) {
	fake := telegram.New(token)
	srv := httptest.NewServer(fake.Handler())
	t.Cleanup(srv.Close)
	return fake, &notify.Telegram{APIURL: srv.URL, Token: token, ChatID: "-100500", Client: &http.Client{Timeout: 200 * time.Millisecond}}
}

var fast = notify.Retry{Attempts: 4, Backoff: time.Millisecond}

func TestTemplateRendersTheOrder(t *testing.T) {
	tmpl, err := notify.Parse("{{.Marketplace}}/{{.Store}} #{{.ID}}: {{.Buyer}} {{.Phone}}, {{.Items}} lines, {{.Amount.StringFixed 2}} {{.Currency}}")
	if err != nil {
		t.Fatal(err)
	}
	got, err := notify.Render(tmpl, notify.Order{ID: "77", Store: "main", Marketplace: "prom", Amount: decimal.RequireFromString("1234.5"),
		Currency: "UAH", Buyer: "Шевченко Тарас", Phone: "+380501112233", Items: 3})
	if want := "prom/main #77: Шевченко Тарас +380501112233, 3 lines, 1234.50 UAH"; err != nil || got != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	if _, err := notify.Parse("{{.Nope}}"); err == nil {
		t.Error("a template naming an unknown field was accepted")
	}
}

func TestDeliverRetriesServerErrorsAndHonoursRetryAfter(t *testing.T) {
	fake, bot := fakeBot(t)
	fake.Fail(telegram.Fault{Kind: telegram.ServerError}, telegram.Fault{Kind: telegram.TooMany, RetryAfter: 1})
	started := time.Now()
	n, err := notify.Deliver(context.Background(), bot, notify.Message{Text: "hello"}, fast)
	if err != nil || n != 3 {
		t.Fatalf("attempts %d, err %v; want 3, nil", n, err)
	}
	if waited := time.Since(started); waited < time.Second {
		t.Errorf("retried after %s; Telegram asked for retry_after 1s", waited)
	}
	if m := fake.Messages(); len(m) != 1 || m[0].Text != "hello" || m[0].ChatID != "-100500" {
		t.Errorf("messages %+v, want one", m)
	}
}

func TestErrorsNeverShowTheToken(t *testing.T) {
	fake, bot := fakeBot(t)
	fake.Fail(telegram.Fault{Kind: telegram.Timeout}, telegram.Fault{Kind: telegram.Timeout})
	_, err := notify.Deliver(context.Background(), bot, notify.Message{Text: "x"}, notify.Retry{Attempts: 2, Backoff: time.Millisecond})
	var se *notify.Error
	if !errors.As(err, &se) || !se.Temporary {
		t.Fatalf("timeout: %v, want a temporary notify.Error", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error shows the token: %v", err)
	}
	wrong := *bot
	wrong.Token = "999:OTHER-SECRET"
	n, err := notify.Deliver(context.Background(), &wrong, notify.Message{Text: "x"}, fast)
	if n != 1 || !errors.As(err, &se) || se.Temporary || se.Status != 401 || strings.Contains(err.Error(), "OTHER-SECRET") {
		t.Errorf("unknown bot: %d attempts, %v; want one permanent 401 without the token", n, err)
	}
}

func TestWebhookPostsTextAndOrder(t *testing.T) {
	var got struct {
		Text  string       `json:"text"`
		Order notify.Order `json:"order"`
	}
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
	}))
	defer srv.Close()
	hook := &notify.Webhook{URL: srv.URL + "/hook/KEY-123"}
	started := time.Now()
	n, err := notify.Deliver(context.Background(), hook, notify.Message{Text: "t", Order: notify.Order{ID: "5", Amount: decimal.New(12, 0)}}, fast)
	if err != nil || n != 2 || got.Text != "t" || got.Order.ID != "5" || !got.Order.Amount.Equal(decimal.New(12, 0)) {
		t.Fatalf("attempts %d, err %v, body %+v", n, err, got)
	}
	if time.Since(started) < time.Second {
		t.Error("Retry-After: 1 was not honoured")
	}
	srv.Close()
	_, err = notify.Deliver(context.Background(), hook, notify.Message{Text: "t"}, notify.Retry{Attempts: 1})
	if err == nil || strings.Contains(err.Error(), "KEY-123") {
		t.Errorf("closed webhook: %v (must fail without the URL)", err)
	}
}

func TestDefaultMessageSaysWhenTheContactsAreNotThereYet(t *testing.T) {
	tmpl, err := notify.Parse("")
	if err != nil {
		t.Fatal(err)
	}
	o := notify.Order{ID: "e1", Store: "ep-main", Marketplace: "epicentr", Amount: decimal.New(1250, 0), Currency: "UAH", Items: 2}
	got, err := notify.Render(tmpl, o)
	if want := "Нове замовлення e1 (epicentr, ep-main)\nконтакти покупця маркетплейс ще не передав\n2 поз., 1250.00 UAH"; err != nil || got != want {
		t.Errorf("got %q (%v), want %q", got, err, want)
	}
	o.Buyer, o.Phone = "Шевченко Тарас", "+380501112233"
	if got, _ := notify.Render(tmpl, o); !strings.Contains(got, "\nШевченко Тарас +380501112233\n") {
		t.Errorf("with contacts: %q", got)
	}
}

func TestTemplatesSeeTheBuyersViberLink(t *testing.T) {
	tmpl, err := notify.Parse(`{{.ID}}{{with .Viber}} · Viber: {{.}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	for viber, want := range map[string]string{
		"viber://chat?number=%2B380501234567": "7 · Viber: viber://chat?number=%2B380501234567",
		"":                                    "7",
	} {
		if got, err := notify.Render(tmpl, notify.Order{ID: "7", Viber: viber}); err != nil || got != want {
			t.Errorf("Render with Viber %q = %q, %v; want %q", viber, got, err, want)
		}
	}
}
