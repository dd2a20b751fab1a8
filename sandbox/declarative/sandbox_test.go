package declarative_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	sandbox "github.com/kramar/kramar/sandbox/declarative"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
)

// A spec no other test uses: a login whose token travels in the body, the
// answer being the list itself, last_id paging, unix_ms times.
const tokenInBody = `name: tib
auth:
  type: login
  login:
    path: /session
    body: {auth.user: "{{username}}", auth.secret: "{{password}}"}
    token: session.key
    ttl: 900
    send: body
    name: session_key
orders:
  request:
    method: POST
    path: /orders/export
    body: {changed.gte: "{{from}}", changed.lte: "{{to}}"}
    time: {layout: unix_ms}
  pagination: {type: last_id, param: after, size_param: count}
  records: .
  id: no
get_order:
  method: POST
  path: /orders/one
  body: {no: "{{id}}"}
fields:
  created_at: at
  modified_at: upd
  marketplace_status: state
  buyer_full_name: who
  amount: sum
items:
  path: lines
  fields: {name: title, quantity: n, price: p}
formats:
  money: number
  time: {layout: unix_ms}
errors:
  message: fault
  auth_codes: [session expired]
`

var start = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)

const password = "pw-S3CR3T"

func newSandbox(t *testing.T, orders int) (*sandbox.Sandbox, *spec.Spec, string) {
	t.Helper()
	sp, err := spec.Parse([]byte(tokenInBody), "tib.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sb := sandbox.New(sp, sandbox.Options{Options: kit.Options{Clock: kit.NewClock(start), Seed: 4}, Orders: orders, Username: "u1", Password: password})
	return sb, sp, kittest.Serve(t, sb.Handler()).URL
}

func TestLoginWithBodyTokenAndExpiry(t *testing.T) {
	sb, sp, url := newSandbox(t, 33)
	cl := spec.NewClient(sp, source.Config{Store: "s", BaseURL: url, Username: "u1", Password: password, PageSize: 5,
		HTTP: httpx.Options{InitialBackoff: time.Millisecond}})
	pull := func() []string {
		var ids []string
		err := cl.ModifiedBetween(context.Background(), start.Add(-20*24*time.Hour), sb.Clock().Now(), func(p []source.RawOrder) error {
			for _, r := range p {
				ids = append(ids, r.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(ids)
		return ids
	}
	var want []string
	for _, o := range sb.Orders() {
		want = append(want, o.ID)
	}
	if got := pull(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("pulled %v\nwant %v", got, want)
	}
	sb.Clock().Advance(16 * time.Minute)
	id := sb.AddOrder(nil)
	if got := pull(); len(got) != 34 || got[33] != id {
		t.Fatalf("after expiry and a new order: %d orders", len(got))
	}
	if sb.Logins() != 2 {
		t.Errorf("%d logins, want 2 (one after expiry)", sb.Logins())
	}
	dump, _ := json.Marshal(sb.Recorder().Requests())
	if strings.Contains(string(dump), password) || strings.Contains(string(dump), "sess-") {
		t.Error("the recorder holds the password or a session token")
	}
}

func call(t *testing.T, method, url, body string, header http.Header) (int, map[string]any) {
	t.Helper()
	code, _, raw := kittest.Do(t, nil, method, url, header, body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return code, m
}

func TestAuthAndTruth(t *testing.T) {
	sb, _, url := newSandbox(t, 3)
	if code, body := call(t, "POST", url+"/orders/export", `{}`, nil); code != 401 || body["fault"] == nil {
		t.Errorf("no session: %d %v", code, body)
	}
	if code, _ := call(t, "POST", url+"/session", `{"auth":{"user":"u1","secret":"wrong"}}`, nil); code != 401 {
		t.Errorf("wrong password: %d", code)
	}
	code, body := call(t, "POST", url+"/session", `{"auth":{"user":"u1","secret":"`+password+`"}}`, nil)
	key, _ := body["session"].(map[string]any)["key"].(string)
	if code != 200 || key == "" {
		t.Fatalf("login: %d %v", code, body)
	}
	first := sb.Orders()[0]
	if err := sb.SetStatus(first.ID, "canceled"); err != nil {
		t.Fatal(err)
	}
	code, body = call(t, "POST", url+"/orders/one", `{"session_key":"`+key+`","no":`+first.ID+`}`, nil)
	if code != 200 || body["state"] != "canceled" || body["no"] != float64(mustInt(first.ID)) {
		t.Errorf("one order: %d %v", code, body)
	}
	if code, _ := call(t, "POST", url+"/orders/one", `{"session_key":"`+key+`","no":1}`, nil); code != 404 {
		t.Errorf("missing order: %d", code)
	}
	if code, _ := call(t, "PUT", url+"/_sandbox/faults", `{"rate":1,"kinds":["server_error"]}`, nil); code != 200 {
		t.Errorf("control endpoint: %d", code)
	}
	if code, _ := call(t, "POST", url+"/orders/one", `{"session_key":"`+key+`","no":`+first.ID+`}`, nil); code < 500 {
		t.Errorf("faults not applied: %d", code)
	}
	if o, _ := sb.Order(first.ID); o.Status != "canceled" || !o.ModifiedAt.Equal(start) {
		t.Errorf("truth after SetStatus: %+v", o)
	}
}

func mustInt(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// TestQueryKeyStaysOutOfTheRecorder: a key in the URL is not recorded.
func TestQueryKeyStaysOutOfTheRecorder(t *testing.T) {
	sp, err := spec.Load("../../specs/skidka.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sb := sandbox.New(sp, sandbox.Options{Options: kit.Options{Clock: kit.NewClock(start), Seed: 1}, Orders: 4, Token: "key-S3CR3T"})
	srv := kittest.Serve(t, sb.Handler())
	code, body := call(t, "POST", srv.URL+"/api/orders/list?api_key=key-S3CR3T", `{"offset":0,"limit":10}`, nil)
	if code != 200 || body["status"] != "ok" || body["total"] != float64(4) {
		t.Fatalf("%d %v", code, body)
	}
	if code, body := call(t, "POST", srv.URL+"/api/orders/list?api_key=nope", `{}`, nil); code != 401 || body["status"] != "bad_key" {
		t.Errorf("bad key: %d %v", code, body)
	}
	dump, _ := json.Marshal(sb.Recorder().Requests())
	if strings.Contains(string(dump), "S3CR3T") {
		t.Error("the recorder holds the key")
	}
}
