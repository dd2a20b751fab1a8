package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testToken and testPassword are what KRAMAR_TEST_TOKEN and KRAMAR_TEST_PASSWORD
// hold in tests; they must never show up in a message.
const (
	testToken    = "tok-SECRET-9f8e7d6c"
	testPassword = "pw-SECRET-5a4b3c2d"
)

// setTestEnv gives every test the same environment, whatever the machine has.
func setTestEnv(t *testing.T) {
	t.Helper()
	t.Setenv(EnvClickHouseDSN, "")
	t.Setenv("KRAMAR_TEST_TOKEN", testToken)
	t.Setenv("KRAMAR_TEST_PASSWORD", testPassword)
	t.Setenv("KRAMAR_TEST_EMPTY", "")
	t.Setenv("KRAMAR_TEST_UNSET", "")
	os.Unsetenv("KRAMAR_TEST_UNSET") // t.Setenv restores it after the test
}

const known = "known are prom, rozetka, horoshop, epicentr, zakupka, allo, hubber, skidka, allbiz, shafa"

func TestCheck(t *testing.T) {
	noDSN := "no ClickHouse address: set clickhouse.dsn or clickhouse.dsn_env, or the environment variable KRAMAR_CLICKHOUSE_DSN"
	cases := []struct {
		file string
		want []Problem // File is filled in from file
	}{
		{"minimal.yaml", nil},
		{"zakupka.yaml", []Problem{
			{Line: 18, Store: "zk-bad", Field: "base_url", Message: "is required for zakupka stores: the address of the store's orders file or exchange"},
			{Line: 20, Store: "zk-bad", Field: "protocol", Message: `unknown "soap"; one of file, 1c_exchange`},
			{Line: 23, Store: "zk-no-login", Field: "username", Message: "the 1C exchange protocol needs a login (username with password_env or password_file)"},
		}},
		{"feeds.yaml", []Problem{
			{Line: 22, Store: "feed-bad", Field: "feed_url", Message: "must be an http(s) address, a file:// URL or a local path"},
			{Line: 23, Store: "feed-bad", Field: "match_by", Message: `unknown "colour"; one of id, vendor_code, barcode`},
		}},
		{"rozetka.yaml", nil},
		{"language.yaml", []Problem{
			{Line: 15, Store: "shop-de", Field: "language", Message: `unknown "de"; one of uk, ru, en`},
			{Line: 22, Store: "rz", Field: "language", Message: "unknown key for a rozetka store (only prom stores have it)"},
		}},
		{"override.yaml", nil},
		{"unknown_keys.yaml", []Problem{
			{Line: 1, Field: "clickhose", Message: `unknown key (did you mean "clickhouse"?)`},
			{Line: 1, Field: "clickhouse", Message: noDSN, Warning: true},
			{Line: 4, Field: "defaults.look_back", Message: `unknown key (did you mean "lookback"?)`},
			{Line: 9, Store: "shop", Field: "tokenenv", Message: `unknown key (did you mean "token_env"?)`},
			{Line: 13, Store: "shop", Field: "hold.payment_types[0]", Message: `payment type "Пром-оплата" is not in the payment mapping; check its spelling against the cabinet`, Warning: true},
			{Line: 14, Store: "shop", Field: "hold.minute", Message: `unknown key (did you mean "minutes"?)`},
			{Line: 15, Store: "shop", Field: "colour", Message: "unknown key"},
		}},
		{"store_ids.yaml", []Problem{
			{Line: 4, Field: "stores[0].id", Message: "is required"},
			{Line: 8, Store: "Prom Main", Field: "id", Message: "may hold only a-z, 0-9, _ and -"},
			{Line: 18, Store: "shop", Field: "id", Message: "is already used by the store on line 13"},
		}},
		{"marketplaces.yaml", []Problem{
			{Line: 7, Field: "mappings.ebay", Message: "unknown marketplace; " + known},
			{Line: 12, Store: "hs", Field: "marketplace", Message: "no built-in connector for marketplace allo: describe its API with a spec (see specs/) or, if it exports CommerceML orders, set protocol"},
			{Line: 17, Store: "typo", Field: "marketplace", Message: `unknown marketplace "promm"; ` + known + " (or describe it with a spec)"},
			{Line: 21, Store: "none", Field: "marketplace", Message: "is required; " + known},
		}},
		{"tokens.yaml", []Problem{
			{Line: 7, Store: "both", Field: "token_file", Message: "set only one of token_env and token_file"},
			{Line: 10, Store: "neither", Field: "token_env", Message: "one of token_env or token_file is required"},
			{Line: 16, Store: "unset", Field: "token_env", Message: "environment variable KRAMAR_TEST_UNSET is not set"},
			{Line: 21, Store: "empty-env", Field: "token_env", Message: "environment variable KRAMAR_TEST_EMPTY is empty"},
			{Line: 26, Store: "missing-file", Field: "token_file", Message: "cannot read token file " + filepath.Join("testdata", "missing.token") + ": no such file or directory"},
			{Line: 31, Store: "empty-file", Field: "token_file", Message: "token file " + filepath.Join("testdata", "empty.token") + " is empty"},
			{Line: 36, Store: "pasted", Field: "token_env", Message: "must be the name of an environment variable (like PROM_MAIN_TOKEN), not the token itself"},
		}},
		{"credentials.yaml", []Problem{
			{Line: 7, Store: "both-kinds", Field: "username", Message: "set either a token (token_env or token_file) or a login (username with password_env or password_file), not both"},
			{Line: 11, Store: "no-kind", Field: "token_env", Message: "a token (token_env or token_file) or a login (username with password_env or password_file) is required"},
			{Line: 15, Store: "no-password", Field: "password_env", Message: "one of password_env or password_file is required"},
			{Line: 20, Store: "no-username", Field: "username", Message: "is required with password_env or password_file"},
			{Line: 29, Store: "both-passwords", Field: "password_file", Message: "set only one of password_env and password_file"},
			{Line: 35, Store: "password-unset", Field: "password_env", Message: "environment variable KRAMAR_TEST_UNSET is not set"},
			{Line: 41, Store: "password-file-missing", Field: "password_file", Message: "cannot read password file " + filepath.Join("testdata", "missing.password") + ": no such file or directory"},
			{Line: 47, Store: "password-pasted", Field: "password_env", Message: "must be the name of an environment variable (like ROZETKA_MAIN_PASSWORD), not the password itself"},
			{Line: 53, Store: "prom-with-login", Field: "username", Message: "unknown key for a prom store (only horoshop, rozetka, zakupka stores have it)"},
			{Line: 54, Store: "prom-with-login", Field: "password_env", Message: "unknown key for a prom store (only horoshop, rozetka, zakupka stores have it)"},
			{Line: 55, Store: "prom-with-login", Field: "customer_cancel_status", Message: "unknown key for a prom store (only rozetka stores have it)"},
			{Line: 58, Store: "prom-login-only", Field: "token_env", Message: "one of token_env or token_file is required"},
			{Line: 60, Store: "prom-login-only", Field: "username", Message: "unknown key for a prom store (only horoshop, rozetka, zakupka stores have it)"},
			{Line: 61, Store: "prom-login-only", Field: "password_file", Message: "unknown key for a prom store (only horoshop, rozetka, zakupka stores have it)"},
			{Line: 68, Store: "rz-typo", Field: "customer_cancel_stat", Message: `unknown key (did you mean "customer_cancel_status"?)`},
		}},
		{"values.yaml", []Problem{
			{Line: 4, Field: "defaults.lookback", Message: "must be more than 0: orders changed just before the cursor would be missed"},
			{Line: 5, Field: "defaults.safety_lag", Message: "must not be negative"},
			{Line: 6, Field: "defaults.timeout", Message: `"ten seconds" is not a duration; write it like "10m", "90s" or "720h"`},
			{Line: 7, Field: "defaults.page_size", Message: "must be from 1 to 1000"},
			{Line: 8, Field: "defaults.rate_per_second", Message: "must be 0 (unlimited) or more"},
			{Line: 12, Field: "mappings.prom.status.pending", Message: "the CRM name is empty"},
			{Line: 14, Field: `mappings.prom.delivery[""]`, Message: "a marketplace name here is empty"},
			{Line: 16, Store: "shop", Field: "order_type", Message: "is required: the CRM needs it for every order"},
			{Line: 18, Store: "shop", Field: "base_url", Message: "must be an http(s) address like https://my.prom.ua/api/v1"},
			{Line: 21, Store: "shop", Field: "page_size", Message: "must be from 1 to 1000"},
			{Line: 22, Store: "shop", Field: "max_attempts", Message: "must be 1 or more"},
			{Line: 23, Store: "shop", Field: "batch_size", Message: "must be a whole number"},
			{Line: 25, Store: "shop", Field: "hold.payment_types[0]", Message: "is empty"},
			{Line: 25, Store: "shop", Field: "hold.payment_types[1]", Message: `payment type "Пром оплата" is not in the payment mapping; check its spelling against the cabinet`, Warning: true},
			{Line: 26, Store: "shop", Field: "hold.minutes", Message: "must not be negative"},
		}},
		{"push.yaml", []Problem{
			{Line: 6, Field: `outbound.prom["Прийнято"].status`, Message: "is required: the marketplace status this CRM status becomes"},
			{Line: 7, Field: "outbound.zakupka", Message: "kramar pushes nothing back to zakupka"},
			{Line: 30, Store: "rz-bad", Field: "push.orders", Message: "no outbound mapping for rozetka: no CRM status will be pushed (add outbound.rozetka)", Warning: true},
			{Line: 31, Store: "rz-bad", Field: "push.auto_accept", Message: "rozetka has no accept step; use auto_cancel or close rules instead"},
			{Line: 33, Store: "rz-bad", Field: "push.auto_cancel[0].after", Message: `is required: how long an order may sit in "1" before it is cancelled`},
			{Line: 39, Store: "zk", Field: "push", Message: "kramar pushes nothing back to zakupka"},
		}},
		{"shapes.yaml", []Problem{
			{Line: 1, Field: "clickhouse", Message: "must be a set of keys, not a single value"},
			{Line: 3, Field: "stores", Message: "must be a list, not a set of keys"},
		}},
		{"duplicates.yaml", []Problem{
			{Line: 7, Field: "mappings.prom.payment[\"Пром-оплата\"]", Message: "key is written twice (first on line 6)"},
			{Line: 14, Store: "shop", Field: "order_type", Message: "key is written twice (first on line 12)"},
			{Line: 15, Message: "only one YAML document is allowed; remove the second ---"},
		}},
		{"syntax.yaml", []Problem{
			{Line: 3, Message: "not valid YAML: did not find expected '-' indicator"},
		}},
		{"no_dsn.yaml", []Problem{
			{Line: 1, Field: "clickhouse", Message: noDSN, Warning: true},
		}},
		{"absent.yaml", []Problem{
			{Message: "cannot read the config: no such file or directory"},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			setTestEnv(t)
			path := filepath.Join("testdata", c.file)
			for i := range c.want {
				c.want[i].File = path
			}
			got := Check(path)
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Check(%s):\n got: %s\nwant: %s", path, listProblems(got), listProblems(c.want))
			}
		})
	}
}

func listProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

func TestProblemString(t *testing.T) {
	p := Problem{File: "kramar.yaml", Line: 14, Store: "prom-main", Field: "token_env", Message: "environment variable PROM_MAIN_TOKEN is not set"}
	if got, want := p.String(), `kramar.yaml:14: store "prom-main": token_env: environment variable PROM_MAIN_TOKEN is not set`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	w := Problem{File: "kramar.yaml", Line: 1, Field: "clickhouse", Message: "no address", Warning: true}
	if got, want := w.String(), `kramar.yaml:1: warning: clickhouse: no address`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	n := Problem{File: "kramar.yaml", Message: "cannot read the config: no such file or directory"}
	if got, want := n.String(), `kramar.yaml: cannot read the config: no such file or directory`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Every kind of mistake, with a token in the environment, a token in a file and a
// password in the DSN: none of them may appear in any message.
func TestSecretsNeverShown(t *testing.T) {
	setTestEnv(t)
	secrets := []string{testToken, testPassword, "file-token-value", "file-password-value", "DSN-PASSWORD-42", "abc123-pasted-token", "hunter2-pasted-password"}
	var messages []string
	collect := func() {
		files, err := filepath.Glob("testdata/*.yaml")
		if err != nil || len(files) < 10 {
			t.Fatalf("testdata: %v, %d files", err, len(files))
		}
		for _, f := range files {
			for _, p := range Check(f) {
				messages = append(messages, p.String())
			}
			if _, err := Load(f); err != nil {
				messages = append(messages, err.Error())
			}
		}
	}
	collect()
	// The DSN from the environment is judged (and hidden) the same way.
	t.Setenv(EnvClickHouseDSN, "http://kramar:DSN-PASSWORD-42@127.0.0.1:8123/")
	collect()

	for _, s := range []Store{
		{ID: "a", TokenEnv: "KRAMAR_TEST_UNSET"},
		{ID: "b", TokenEnv: "KRAMAR_TEST_EMPTY"},
		{ID: "c", TokenFile: "testdata/missing.token"},
		{ID: "d", TokenFile: "testdata/empty.token"},
		{ID: "e"},
	} {
		if _, err := s.Token(); err != nil {
			messages = append(messages, err.Error())
		} else {
			t.Errorf("store %s: Token() gave no error", s.ID)
		}
	}

	for _, s := range []Store{
		{ID: "f", PasswordEnv: "KRAMAR_TEST_UNSET"},
		{ID: "g", PasswordFile: "testdata/missing.password"},
		{ID: "h", Username: "seller"},
	} {
		if _, err := s.Password(); err != nil {
			messages = append(messages, err.Error())
		} else {
			t.Errorf("store %s: Password() gave no error", s.ID)
		}
	}

	all := strings.Join(messages, "\n")
	for _, want := range []string{"secrets.yaml", "DSN", "token_env", "password_env", "page_size", "unknown key", "no built-in connector"} {
		if !strings.Contains(all, want) {
			t.Errorf("the mistakes were not all made: no message mentions %q", want)
		}
	}
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("a message shows the secret %q:\n%s", s, all)
		}
	}
}
