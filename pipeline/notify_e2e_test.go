package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/notify"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/telegram"
)

const botToken = "424242:BOT-S3CR3T-token"

// notifyEnv is a Prom store announcing new orders to a fake Bot API.
type notifyEnv struct {
	*promtest.Env
	bot  *telegram.Sandbox
	n    *pipeline.Notifier
	logs *bytes.Buffer
}

func newNotifyEnv(t *testing.T, orders int) *notifyEnv {
	t.Helper()
	e := promtest.New(t, map[string]int{"prom-a": orders})
	bot := telegram.New(botToken)
	botURL := e.Serve(bot.Handler())
	t.Setenv("TG_BOT_TOKEN", botToken)
	e.Reconfigure("", map[string]string{"prom-a": fmt.Sprintf("notify:\n  telegram:\n    bot_token_env: TG_BOT_TOKEN\n    chat_id: \"-1001\"\n"+
		"    api_url: %s\n    template: \"new {{.ID}} {{.Items}}\"\n", botURL)})
	logs := &bytes.Buffer{}
	// The client's timeout is what a Timeout fault costs, and must be long
	// enough that no ordinary send times out on a busy machine: such a send
	// reaches the fake after its retry and eats a fault meant for a later one.
	n := &pipeline.Notifier{Retry: notify.Retry{Attempts: 3, Backoff: time.Millisecond},
		Client: &http.Client{Timeout: 2 * time.Second}, Log: slog.New(slog.NewTextHandler(logs, nil))}
	e.Notify = n
	return &notifyEnv{Env: e, bot: bot, n: n, logs: logs}
}

// run is one order cycle, then waits for its messages.
func (e *notifyEnv) run(t *testing.T) pipeline.StoreResult {
	t.Helper()
	r := e.Run()["prom-a"]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.n.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

var announced = regexp.MustCompile(`^new (\d+) \d+$`)

// sent lists the announced order ids, sorted, repeats kept.
func (e *notifyEnv) sent(t *testing.T) []string {
	t.Helper()
	var ids []string
	for _, m := range e.bot.Messages() {
		g := announced.FindStringSubmatch(m.Text)
		if g == nil || m.ChatID != "-1001" {
			t.Fatalf("unexpected message %+v", m)
		}
		ids = append(ids, g[1])
	}
	sort.Strings(ids)
	return ids
}

func TestNewOrdersAreAnnouncedOnceDespiteFailuresAndAcrossRuns(t *testing.T) {
	e := newNotifyEnv(t, 70)
	// The first send fails and is retried; the 429 asks for a wait.
	e.bot.Fail(telegram.Fault{Kind: telegram.ServerError}, telegram.Fault{Kind: telegram.TooMany, RetryAfter: 1})
	first := e.run(t)
	if !first.OK() || first.New != 70-first.Held {
		t.Fatalf("first run: %+v", first)
	}
	// Only orders of the last 24h are news (notify.max_age).
	want := e.Query(`SELECT external_id FROM {db}.v_orders WHERE created_at >= ? ORDER BY external_id`,
		pipelinetest.Start.Add(-24*time.Hour))
	if len(want) == 0 || len(want) == 70 {
		t.Fatalf("%d of 70 orders are young: the test would prove nothing", len(want))
	}
	if got := e.sent(t); !slices.Equal(got, want) {
		t.Fatalf("announced %v\nwant %v\n%s\n%v\n%s", got, want, e.logs, e.Query(`SELECT * FROM {db}.notifications`), e.Logs)
	}
	if n := e.bot.Requests(); n != len(want)+2 {
		t.Errorf("%d requests for %d messages and 2 failures", n, len(want))
	}

	// An updated order is not news; a new one is, once, even when its
	// first pass fails completely and only the next cycle delivers it.
	olds := e.SB.Orders(e.SB.StoreID(e.Tokens["prom-a"]))
	if err := e.SB.SetStatus(e.Tokens["prom-a"], olds[len(olds)-1].ID, "canceled"); err != nil {
		t.Fatal(err)
	}
	id := e.SB.AddOrder(e.Tokens["prom-a"], nil)
	e.Clock.Advance(time.Minute)
	// The faults are aimed at the new order's message: a send of the first
	// run that reached the fake late on a busy machine cannot take one.
	its := fmt.Sprintf("new %d ", id)
	e.bot.Fail(telegram.Fault{Kind: telegram.Timeout, Text: its}, telegram.Fault{Kind: telegram.ServerError, Text: its}, telegram.Fault{Kind: telegram.ServerError, Text: its})
	second := e.run(t)
	if second.New != 1 || second.Updated != 1 {
		t.Fatalf("second run: %+v", second)
	}
	if got := e.sent(t); len(got) != len(want) {
		t.Fatalf("a message went out although every send failed: %v", got)
	}
	if st := e.Query(`SELECT state FROM {db}.v_notifications WHERE order_id = ?`, fmt.Sprint(id)); !slices.Equal(st, []string{"failed"}) {
		t.Fatalf("notification state %v, want failed", st)
	}
	// A restart: a new notifier knows only what the table holds.
	e.n = &pipeline.Notifier{Retry: e.n.Retry, Client: e.n.Client, Log: e.n.Log}
	e.Notify = e.n
	e.Clock.Advance(time.Minute)
	e.run(t)
	e.Clock.Advance(time.Minute)
	e.run(t)
	want = append(want, fmt.Sprint(id))
	sort.Strings(want)
	if got := e.sent(t); !slices.Equal(got, want) {
		t.Fatalf("after two more runs announced %v\nwant %v", got, want)
	}
	if n := e.Query(`SELECT count() FROM {db}.v_notifications WHERE state != 'sent'`)[0]; n != "0" {
		t.Errorf("%s notifications not sent", n)
	}
	for _, where := range map[string]string{"notifier log": e.logs.String(), "run log": e.Logs.String(),
		"notifications table": strings.Join(e.Query(`SELECT error FROM {db}.notifications`), "\n")} {
		if strings.Contains(where, botToken) || strings.Contains(where, "BOT-S3CR3T") {
			t.Errorf("the bot token is in the %s", where)
		}
	}
	if !strings.Contains(e.logs.String(), "announcing the order failed") {
		t.Errorf("the failed pass was not logged:\n%s", e.logs)
	}
}

func TestBackfilledOrdersAreNotAnnounced(t *testing.T) {
	e := newNotifyEnv(t, 30)
	to := pipelinetest.Start.Add(-5 * time.Second)
	res, err := e.Runner().BackfillOrders(context.Background(), pipeline.Backfill{Store: "prom-a", From: to.Add(-8 * 24 * time.Hour), To: to})
	if err != nil || !res.OK() || res.New == 0 {
		t.Fatalf("backfill: %v %+v", err, res)
	}
	if err := e.n.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.bot.Requests(); n != 0 {
		t.Errorf("a backfill announced %d orders", n)
	}
}
