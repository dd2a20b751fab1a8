package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// webHash is a real bcrypt hash (of "correct horse", at the least cost).
func webHash(*testing.T) string {
	return "$2a$04$ZdQ5IbGHGrWKQ60vop9QOOYs4/ZthBaY8APoq7CYUqo6cuimu322e"
}

const webMetricsToken = "metrics-SECRET-0123456789abcdef"

func TestWebDefaultsUsersAndSecrets(t *testing.T) {
	setTestEnv(t)
	if cfg := mustLoad(t, "testdata/minimal.yaml"); cfg.Web.Enabled() || cfg.Web.TLSEnabled() {
		t.Errorf("web on without the key: %+v", cfg.Web)
	}
	hash := webHash(t)
	t.Setenv("KRAMAR_TEST_HASH", hash)
	t.Setenv("KRAMAR_TEST_METRICS", webMetricsToken)
	text := "web:\n  users:\n    - name: olena\n      password_hash: \"" + hash + "\"\n      role: ops\n" +
		"    - name: petro\n      password_hash_env: KRAMAR_TEST_HASH\n      role: accountant\n" +
		"  metrics_token_env: KRAMAR_TEST_METRICS\n" + scheduleStore
	path := writeConfig(t, text)
	cfg, err := LoadServe(path)
	if err != nil {
		t.Fatal(err)
	}
	w := cfg.Web
	if !w.Enabled() || len(w.Users) != 2 || w.SessionTTL.Duration != 12*time.Hour || w.TLSEnabled() {
		t.Errorf("web not read or defaults not filled: %+v", w)
	}
	for _, u := range w.Users {
		if h, err := u.Hash(); err != nil || h != hash {
			t.Errorf("user %s: hash %q, %v", u.Name, h, err)
		}
	}
	if tok, err := w.MetricsToken(); err != nil || tok != webMetricsToken {
		t.Errorf("metrics token %q, %v", tok, err)
	}
	if s := w.Summary(); s != "1 ops, 1 accountant, metrics bearer token from KRAMAR_TEST_METRICS" {
		t.Errorf("summary %q", s)
	}
	cfg = mustLoad(t, writeConfig(t, "web:\n  session_ttl: 30m\n"+scheduleStore))
	if cfg.Web.SessionTTL.Duration != 30*time.Minute || cfg.Web.Enabled() {
		t.Errorf("session_ttl not read: %+v", cfg.Web)
	}
}

func TestWebMistakesAreNamedWithTheirLinesAndNoSecret(t *testing.T) {
	setTestEnv(t)
	hash := webHash(t)
	plain := "hunter2-SECRET-plain"
	t.Setenv("KRAMAR_TEST_SHORT", "short-SECRET")
	t.Setenv("KRAMAR_TEST_NOT_A_HASH", plain)
	text := "web:\n" + // 1
		"  users:\n" + // 2
		"    - name: olena\n" + // 3
		"      password_hash: \"" + hash + "\"\n" + // 4
		"      role: ops\n" + // 5
		"    - name: Olena\n" + // 6
		"      password_hash: \"" + plain + "\"\n" + // 7
		"      role: boss\n" + // 8
		"    - name: \"\"\n" + // 9
		"      password_hash: \"" + hash + "\"\n" + // 10
		"      password_hash_env: KRAMAR_TEST_HASH\n" + // 11
		"    - name: ivan\n" + // 12
		"      role: accountant\n" + // 13
		"    - name: oksana\n" + // 14
		"      password_hash_env: " + "$2a$x\n" + // 15
		"      role: accountant\n" + // 16
		"    - name: taras\n" + // 17
		"      password_hash_env: KRAMAR_TEST_NOT_A_HASH\n" + // 18
		"      rol: ops\n" + // 19
		"  session_ttl: 1m\n" + // 20
		"  metrics_token_env: KRAMAR_TEST_SHORT\n" + // 21
		"  tls:\n" + // 22
		"    cert_file: cert.pem\n" + // 23
		scheduleStore
	got := errorsOf(t, text)
	want := map[string]struct {
		line int
		msg  string
	}{
		"web.users[1].name":              {6, "is already used by the user on line 3"},
		"web.users[1].password_hash":     {7, "is not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters; the value is not shown); make one with `kramar web hash-password`"},
		"web.users[1].role":              {8, `unknown "boss"; one of ops, accountant`},
		"web.users[2].name":              {9, "is required: the name the user logs in with"},
		"web.users[2].role":              {9, "is required: ops (everything) or accountant (the workbooks only)"},
		"web.users[2].password_hash_env": {11, "set only one of password_hash and password_hash_env"},
		"web.users[3].password_hash":     {12, "one of password_hash or password_hash_env is required (make a hash with `kramar web hash-password`)"},
		"web.users[4].password_hash_env": {15, "must be the name of an environment variable (like KRAMAR_WEB_OPS_HASH), not the hash itself"},
		"web.users[5].password_hash_env": {18, "environment variable KRAMAR_TEST_NOT_A_HASH does not hold a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters; the value is not shown); make one with `kramar web hash-password`"},
		"web.users[5].rol":               {19, `unknown key (did you mean "role"?)`},
		"web.users[5].role":              {17, "is required: ops (everything) or accountant (the workbooks only)"},
		"web.session_ttl":                {20, "must be between 5m and 720h"},
		"web.metrics_token_env":          {21, "the token in KRAMAR_TEST_SHORT is too short: at least 16 characters (for example from `openssl rand -hex 32`)"},
		"web.tls.key_file":               {22, "is required with cert_file"},
	}
	for k, w := range want {
		if p := got[k]; p.Message != w.msg || p.Line != w.line {
			t.Errorf("%s: got line %d %q, want line %d %q", k, p.Line, p.Message, w.line, w.msg)
		}
	}
	for k, p := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected problem %s: %s", k, p)
		}
		for _, secret := range []string{hash, plain, "short-SECRET", hash[7:29]} {
			if strings.Contains(p.String(), secret) {
				t.Errorf("%s shows a secret: %s", k, p)
			}
		}
	}
}

// A hash or token the environment lacks stops serve with the line of its
// key; the commands that never serve the console only warn.
func TestWebSecretMissingFromTheEnvironmentStopsOnlyServe(t *testing.T) {
	setTestEnv(t)
	text := "web:\n  users:\n    - name: olena\n      password_hash_env: KRAMAR_TEST_UNSET\n      role: ops\n  metrics_token_env: KRAMAR_TEST_EMPTY\n" + scheduleStore
	path := writeConfig(t, text)
	_, err := LoadServe(path)
	if err == nil {
		t.Fatal("serve accepted a user whose hash is not in the environment")
	}
	for _, want := range []string{
		path + ":4: web.users[0].password_hash_env: environment variable KRAMAR_TEST_UNSET is not set",
		path + ":6: web.metrics_token_env: environment variable KRAMAR_TEST_EMPTY is empty",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("serve's error lacks %q:\n%v", want, err)
		}
	}
	cfg := mustLoad(t, path)
	if len(cfg.Warnings) != 2 || !strings.Contains(cfg.Warnings[0].Message, "KRAMAR_TEST_UNSET is not set") {
		t.Errorf("run: warnings %v, want the two missing secrets", cfg.Warnings)
	}
	for _, p := range Check(path) {
		if !p.Warning {
			t.Errorf("config check: %s is an error; serve's environment may have it", p)
		}
	}
}

func TestWebTLSFilesAreReadFromTheConfigFolder(t *testing.T) {
	setTestEnv(t)
	dir := t.TempDir()
	writeTestCertificate(t, filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	cfgPath := filepath.Join(dir, "kramar.yaml")
	if err := os.WriteFile(cfgPath, []byte("web:\n  tls:\n    cert_file: cert.pem\n    key_file: key.pem\n"+scheduleStore), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := mustLoad(t, cfgPath)
	if !cfg.Web.TLSEnabled() || cfg.Web.TLS.CertFile != filepath.Join(dir, "cert.pem") {
		t.Errorf("tls: %+v", cfg.Web.TLS)
	}

	got := errorsOf(t, "web:\n  tls:\n    cert_file: "+filepath.Join(dir, "cert.pem")+"\n    key_file: "+filepath.Join(dir, "missing.pem")+"\n"+scheduleStore)
	if p := got["web.tls.key_file"]; p.Line != 4 || !strings.Contains(p.Message, "missing.pem: no such file or directory") {
		t.Errorf("a missing key: %+v", got)
	}
	// The certificate given as its own key: readable, not a pair.
	got = errorsOf(t, "web:\n  tls:\n    cert_file: "+filepath.Join(dir, "cert.pem")+"\n    key_file: "+filepath.Join(dir, "cert.pem")+"\n"+scheduleStore)
	if p := got["web.tls"]; p.Line != 2 || !strings.Contains(p.Message, "are not a usable certificate and key") {
		t.Errorf("a wrong key: %+v", got)
	}
}

// writeTestCertificate writes a self-signed certificate for 127.0.0.1 and
// its key.
func writeTestCertificate(t *testing.T, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kramar test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path, kind string
		der        []byte
	}{{certFile, "CERTIFICATE", der}, {keyFile, "PRIVATE KEY", keyDER}} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.kind, Bytes: f.der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
