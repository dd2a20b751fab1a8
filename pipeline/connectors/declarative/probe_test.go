package declarative_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	sandbox "github.com/kramar/kramar/sandbox/declarative"
	"github.com/kramar/kramar/sandbox/kit"
)

// kramar probe against the sandbox of every shipped spec: each call
// answers, nothing differs from the spec's model, and every request is the
// spec's own read (nothing else is sent).
func TestProbeEverySpecSandboxIsGreen(t *testing.T) {
	shipped, err := filepath.Abs("../../../specs")
	if err != nil {
		t.Fatal(err)
	}
	clock := kit.NewClock(start)
	var yaml strings.Builder
	yaml.WriteString("defaults:\n  rate_per_second: 0\n  timeout: 2s\nstores:\n")
	sandboxes := map[string]*sandbox.Sandbox{}
	for i, name := range []string{"hubber", "allo", "skidka", "allbiz", "shafa"} {
		path := filepath.Join(shipped, name+".yaml")
		sp, err := spec.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		secret := fmt.Sprintf("S3CR3T-%s-%d", name, i)
		sb := sandbox.New(sp, sandbox.Options{Options: kit.Options{Clock: clock, Seed: int64(i + 11)}, Orders: 30, Token: secret, Username: name + "@example.ua", Password: secret})
		srv := httptest.NewServer(sb.Handler())
		t.Cleanup(srv.Close)
		env := "PROBE_SECRET_" + strings.ToUpper(name)
		t.Setenv(env, secret)
		fmt.Fprintf(&yaml, "  - id: %s-main\n    marketplace: %s\n    spec: %s\n    base_url: %s\n    order_type: Роздріб\n    order_source: %s\n",
			name, name, path, srv.URL, name)
		if sp.Auth.Type == spec.AuthBasic || sp.Auth.Type == spec.AuthLogin {
			fmt.Fprintf(&yaml, "    username: %s@example.ua\n    password_env: %s\n", name, env)
		} else {
			fmt.Fprintf(&yaml, "    token_env: %s\n", env)
		}
		sandboxes[name+"-main"] = sb
	}
	cfgPath := filepath.Join(t.TempDir(), "kramar.yaml")
	if err := os.WriteFile(cfgPath, []byte(yaml.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	r := &pipeline.Runner{Config: cfg, Now: clock.Now}
	for store, sb := range sandboxes {
		rep, err := r.Probe(context.Background(), store, 3650)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Errorf("%s: probe not green: %+v", store, rep.Calls)
		}
		for _, c := range rep.Calls {
			if c.Records == 0 || len(c.Drift) > 0 {
				t.Errorf("%s: %s: %d records, differences %+v", store, c.Call, c.Records, c.Drift)
			}
		}
		for _, req := range sb.Recorder().Requests() {
			if req.Method != http.MethodGet && req.Method != http.MethodPost {
				t.Errorf("%s: probe sent %s %s", store, req.Method, req.Path)
			}
		}
	}
}
