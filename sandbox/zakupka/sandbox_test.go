package zakupka

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/kramar/kramar/schema/canon"
	transform "github.com/kramar/kramar/transforms/cml"
)

var start = time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)

func newServer(t *testing.T, opts Options) (*Sandbox, string) {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = kit.NewClock(start)
	}
	sb := New(opts)
	return sb, kittest.Serve(t, sb.Handler()).URL
}

func fastHTTP() httpx.Options {
	return httpx.Options{InitialBackoff: time.Millisecond, MaxAttempts: 8, Timeout: 5 * time.Second}
}

// pullAll collects every raw order of [from, to].
func pullAll(t *testing.T, o source.Orders, from, to time.Time) []source.RawOrder {
	t.Helper()
	var got []source.RawOrder
	err := o.ModifiedBetween(context.Background(), from, to, func(p []source.RawOrder) error {
		got = append(got, p...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOrdersFileBothEncodings(t *testing.T) {
	for _, enc := range []string{UTF8, Windows1251} {
		t.Run(enc, func(t *testing.T) {
			sb, base := newServer(t, Options{Seed: 7})
			sb.AddStore(StoreOptions{Key: "k-secret", Orders: 40, Encoding: enc})
			truth := sb.Orders(sb.StoreID("k-secret"))

			_, _, raw := kittest.Do(t, nil, "GET", base+OrdersPath+"?key=k-secret", nil, nil)
			if isUTF8 := strings.Contains(string(raw), "Документ"); isUTF8 != (enc == UTF8) {
				t.Fatalf("body in %s contains UTF-8 Cyrillic: %v", enc, isUTF8)
			}

			client := cml.NewOrdersFile(source.Config{Store: "zk", BaseURL: base + OrdersPath + "?key=k-secret", HTTP: fastHTTP()})
			got := pullAll(t, client, start.Add(-30*24*time.Hour), start)
			if len(got) != len(truth) {
				t.Fatalf("pulled %d orders, truth has %d", len(got), len(truth))
			}
			statuses := map[string]int{}
			for i, r := range got {
				if r.ID != truth[i].ID {
					t.Fatalf("order %d: id %s, want %s", i, r.ID, truth[i].ID)
				}
				o, err := transform.Transform(r.Body, canon.Store{Store: "zk"})
				if err != nil {
					t.Fatalf("order %s: %v", r.ID, err)
				}
				full := truth[i].Counterparties[0].FullName
				for _, part := range []string{o.BuyerLastName, o.BuyerFirstName, o.BuyerMiddleName} {
					if !strings.Contains(full, part) {
						t.Errorf("order %s: name part %q is not in %q", r.ID, part, full)
					}
				}
				if o.BuyerLastName == "" || o.BuyerFirstName == "" || o.BuyerPhone == "" || o.FullAmount.IsZero() {
					t.Errorf("order %s lost data: %+v", r.ID, o)
				}
				statuses[o.MarketplaceStatus]++
			}
			if statuses[StatusNew] == 0 || len(statuses) < 3 {
				t.Errorf("statuses %v: want a mix", statuses)
			}
		})
	}
}

func TestFileOnlyNewAndWindow(t *testing.T) {
	sb, base := newServer(t, Options{Seed: 3})
	sb.AddStore(StoreOptions{Key: "k", Orders: 30, FileOnlyNew: true})
	client := cml.NewOrdersFile(source.Config{Store: "zk", BaseURL: base + OrdersPath, Token: "k", HTTP: fastHTTP()})
	all := pullAll(t, client, start.Add(-30*24*time.Hour), start)
	if len(all) == 0 {
		t.Fatal("no new orders")
	}
	for _, r := range all {
		if transform.Skip(r.Body) {
			t.Errorf("order %s is not new", r.ID)
		}
	}
	// A narrow window keeps only orders changed in it.
	id, err := sb.AddOrder("k", nil)
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(time.Hour)
	recent := pullAll(t, client, start.Add(-time.Minute), start.Add(time.Minute))
	if len(recent) != 1 || recent[0].ID != id {
		t.Fatalf("window pulled %v, want only %s", recent, id)
	}
	if _, err := client.Get(context.Background(), id); err != nil {
		t.Errorf("Get(%s): %v", id, err)
	}
	var nf *source.NotFoundError
	if _, err := client.Get(context.Background(), "nope"); !errors.As(err, &nf) {
		t.Errorf("Get(nope): %v", err)
	}
}

func TestWrongKeyNamesNoSecret(t *testing.T) {
	sb, base := newServer(t, Options{})
	sb.AddStore(StoreOptions{Key: "right-key", Orders: 1})
	client := cml.NewOrdersFile(source.Config{Store: "zk", BaseURL: base + OrdersPath + "?key=wrong-key-123", HTTP: fastHTTP()})
	err := client.ModifiedBetween(context.Background(), start.Add(-time.Hour), start, func([]source.RawOrder) error { return nil })
	if httpx.KindOf(err) != httpx.KindAuth || strings.Contains(err.Error(), "wrong-key-123") || !strings.Contains(err.Error(), "zk") {
		t.Fatalf("error %v: want an auth error naming the store, not the key", err)
	}
	for _, r := range sb.Recorder().Requests() {
		if strings.Contains(r.RawQuery, "key") {
			t.Errorf("recorder kept the key: %+v", r)
		}
	}
}

func TestExchange(t *testing.T) {
	sb, base := newServer(t, Options{Seed: 11})
	sb.AddStore(StoreOptions{Key: "k", Login: "1c", Password: "pa55-word", Orders: 12, Encoding: Windows1251})
	ctx := context.Background()
	pull := func(o source.Orders) []source.RawOrder {
		return pullAll(t, o, start.Add(-365*24*time.Hour), start.Add(time.Hour))
	}
	// all pulls and, as the pipeline does once the rows are in, confirms.
	all := func(o source.Orders) []source.RawOrder {
		got := pull(o)
		if c, ok := o.(source.Confirmer); ok {
			if err := c.Confirm(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return got
	}

	bad := cml.NewExchange(source.Config{Store: "zk-1c", BaseURL: base + ExchangePath, Username: "1c", Password: "guess-pass", HTTP: fastHTTP()})
	if _, err := bad.CheckAuth(ctx); httpx.KindOf(err) != httpx.KindAuth || strings.Contains(err.Error(), "guess-pass") || !strings.Contains(err.Error(), "zk-1c") {
		t.Fatalf("bad login: %v", err)
	}

	ex := cml.NewExchange(source.Config{Store: "zk-1c", BaseURL: base + ExchangePath, Username: "1c", Password: "pa55-word", HTTP: fastHTTP()})
	if s, err := ex.CheckAuth(ctx); err != nil || s.Name != SessionCookie || s.Value == "" {
		t.Fatalf("checkauth: %+v, %v", s, err)
	}
	if in, err := ex.Init(ctx); err != nil || in.Zip || in.FileLimit != fileLimit {
		t.Fatalf("init: %+v, %v", in, err)
	}
	if got := pull(ex); len(got) != 12 {
		t.Fatalf("first exchange: %d orders, want 12", len(got))
	}
	// Not confirmed (a run that failed before its rows were in): offered again.
	if got := all(ex); len(got) != 12 {
		t.Fatalf("unconfirmed, the next exchange has %d orders, want the 12 again", len(got))
	}
	if got := all(ex); len(got) != 0 {
		t.Fatalf("after success: %d orders, want 0", len(got))
	}
	id := sb.Orders(sb.StoreID("k"))[3].ID
	sb.Clock().Advance(time.Minute)
	if err := sb.SetStatus("k", id, StatusShipped); err != nil {
		t.Fatal(err)
	}
	got := all(ex)
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("after a status change: %v, want only %s", got, id)
	}
	if !transform.Skip(got[0].Body) {
		t.Error("a shipped order is not skipped under the Zakupka rule")
	}
	// A failed hand-off leaves the orders unconfirmed.
	sb.SetStatus("k", id, StatusDelivered)
	failed := errors.New("warehouse down")
	if err := ex.ModifiedBetween(ctx, start.Add(-time.Hour), start.Add(time.Hour), func([]source.RawOrder) error { return failed }); !errors.Is(err, failed) {
		t.Fatalf("got %v", err)
	}
	if got := all(ex); len(got) != 1 {
		t.Fatalf("after a failed page: %d orders, want the unconfirmed 1", len(got))
	}
	// A session cookie is not a file key.
	if code, _, _ := kittest.Do(t, nil, "GET", base+OrdersPath+"?key=sess1x000001", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("session as key: HTTP %d", code)
	}
	for _, r := range sb.Recorder().Requests() {
		if r.Path == ExchangePath && r.Store != "store-1" && r.Status == http.StatusOK {
			t.Errorf("exchange request without its store: %+v", r)
		}
	}
}

func TestFaultsAreRetried(t *testing.T) {
	sb, base := newServer(t, Options{Seed: 5, Faults: kit.FaultConfig{Rate: 0.5, Kinds: []kit.Kind{kit.ServerError, kit.Truncated}}})
	sb.AddStore(StoreOptions{Key: "k", Orders: 25, Encoding: Windows1251})
	client := cml.NewOrdersFile(source.Config{Store: "zk", BaseURL: base + OrdersPath + "?key=k", HTTP: fastHTTP()})
	for range 5 {
		if got := pullAll(t, client, start.Add(-30*24*time.Hour), start); len(got) != 25 {
			t.Fatalf("pulled %d of 25", len(got))
		}
	}
	if c := sb.Faults().Counts(); c[kit.Truncated]+c[kit.ServerError] == 0 {
		t.Errorf("no fault was injected: %v", c)
	}
}

func TestFeed(t *testing.T) {
	sb, base := newServer(t, Options{Seed: 1})
	sb.AddStore(StoreOptions{Key: "k", FeedOffers: 5, Encoding: Windows1251})
	code, _, body := kittest.Do(t, nil, "GET", base+FeedPath+"?key=k", nil, nil)
	if code != http.StatusOK || !strings.Contains(string(body), "<yml_catalog") || strings.Count(string(body), "<offer ") != 5 {
		t.Fatalf("HTTP %d, body %.300s", code, body)
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := newServer(t, Options{Seed: 9})
	b, _ := newServer(t, Options{Seed: 9})
	a.AddStore(StoreOptions{Key: "k", Orders: 10})
	b.AddStore(StoreOptions{Key: "k", Orders: 10})
	x, _ := EncodeCML(a.Orders(a.StoreID("k")), start, UTF8)
	y, _ := EncodeCML(b.Orders(b.StoreID("k")), start, UTF8)
	if string(x) != string(y) {
		t.Fatal("same seed, different orders")
	}
}
