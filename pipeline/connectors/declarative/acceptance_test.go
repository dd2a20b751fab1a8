package declarative_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	sandbox "github.com/kramar/kramar/sandbox/declarative"
	"github.com/kramar/kramar/sandbox/kit"
)

// TestAcceptance runs the suite on every shipped spec: a marketplace
// described in YAML keeps the same guarantees as one written in Go.
func TestAcceptance(t *testing.T) {
	for _, name := range []string{"allbiz", "allo", "hubber", "shafa", "skidka"} {
		path, err := filepath.Abs(filepath.Join("..", "..", "..", "specs", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		sp, err := spec.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			pipelinetest.Acceptance(t, func(clock *kit.Clock) pipelinetest.Driver {
				d := &driver{name: name, path: path, spec: sp, clock: clock, sbs: map[string]*sandbox.Sandbox{}}
				if sp.Auth.Type == spec.AuthLogin {
					return loginDriver{d}
				}
				return d
			})
		})
	}
}

// driver gives each store a sandbox of its own: a spec's sandbox is one
// seller account.
type driver struct {
	name, path string
	spec       *spec.Spec
	clock      *kit.Clock
	sbs        map[string]*sandbox.Sandbox
}

func (d *driver) AddStore(t testing.TB, id string, orders int) pipelinetest.StoreSpec {
	env, secret := pipelinetest.SecretEnv(t, "SECRET_"+strings.ToUpper(d.name), id)
	sb := sandbox.New(d.spec, sandbox.Options{Options: kit.Options{Clock: d.clock, Seed: int64(len(d.sbs) + 3)}, Orders: orders, Token: secret, Username: id + "@example.ua", Password: secret})
	d.sbs[id] = sb
	yaml := fmt.Sprintf("marketplace: %s\nspec: %s\nbase_url: {url}\norder_type: Роздріб\norder_source: %s\n", d.name, d.path, d.name)
	switch d.spec.Auth.Type {
	case spec.AuthBasic, spec.AuthLogin:
		yaml += fmt.Sprintf("username: %s@example.ua\npassword_env: %s\n", id, env)
	default:
		yaml += "token_env: " + env + "\n"
	}
	return pipelinetest.StoreSpec{ID: id, Sandbox: sb, YAML: yaml, Secret: secret, SecretEnv: env}
}

// Truth: the spec's status names mapped, and only what the spec reads.
func (d *driver) Truth(_ testing.TB, store string) (orders, items []string) {
	f := d.spec.Fields
	for _, o := range d.sbs[store].Orders() {
		status := o.Status
		if s, ok := d.spec.Statuses[o.Status]; ok {
			status = s
		}
		ttn, pay := "", ""
		if f.TTN.IsSet() {
			ttn = o.TTN
		}
		if f.PaymentStatus.IsSet() {
			pay = o.PaymentStatus
		}
		if f.Paid.IsSet() && f.Paid.String() == f.PaymentStatus.String() {
			pay = paidText(f.PaidValues, o.Paid) // one field says both
		}
		orders = append(orders, fmt.Sprintf("%s\t%s\t%s\t%s\t%s", o.ID, status, o.Amount.StringFixed(2), ttn, pay))
		for i, it := range o.Items {
			ext := ""
			if d.spec.Items.Fields.ExternalID.IsSet() {
				ext = it.ExternalID
			}
			items = append(items, fmt.Sprintf("%s\t%d\t%s\t%s", o.ID, i, ext, it.Total.StringFixed(2)))
		}
	}
	return orders, items
}

func (d *driver) Change(_ testing.TB, store string, round int) int {
	sb := d.sbs[store]
	statuses := sb.Statuses()
	n := 0
	for i, o := range sb.Orders() {
		if i%7 == round && sb.SetStatus(o.ID, statuses[(i+round)%len(statuses)]) == nil {
			n++
		}
	}
	sb.AddOrder(nil)
	return n + 1
}

func (d *driver) AddMalformed(_ testing.TB, store string) string {
	return d.sbs[store].AddOrder(func(o *sandbox.Order) { o.BrokenAmount = "12,,3" })
}

// paidText is the paid flag as the sandbox writes it when the spec reads
// the payment status from the same field: the first paid value, else
// "not_paid" (a boolean when the spec lists none).
func paidText(values []string, paid bool) string {
	switch {
	case len(values) == 0:
		return fmt.Sprint(paid)
	case paid:
		return values[0]
	}
	return "not_paid"
}

// loginDriver is the driver of a spec that logs in for a session.
type loginDriver struct{ *driver }

func (d loginDriver) ExpireSessions(store string) { d.sbs[store].ExpireSessions() }

func (d loginDriver) IsLogin(r kit.Request) bool { return r.Path == d.spec.Auth.Login.Path }

func (d loginDriver) IsPage(r *http.Request) bool { return r.URL.Path == d.spec.Orders.Request.Path }
