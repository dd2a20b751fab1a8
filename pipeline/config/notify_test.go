package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNotifyConfig(t *testing.T) {
	setTestEnv(t)
	t.Setenv("KRAMAR_TEST_BOT", "777:BOT-SECRET")
	t.Setenv("KRAMAR_TEST_HOOK", "https://hooks.example/KEY-SECRET")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bot.token"), []byte("888:FILE-SECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := func(id, notify string) string {
		return "  - id: " + id + "\n    marketplace: prom\n    token_env: KRAMAR_TEST_TOKEN\n    order_type: t\n    order_source: s\n" +
			"    notify:\n" + notify
	}
	text := "clickhouse:\n  dsn: clickhouse://127.0.0.1:9000/kramar\nstores:\n" +
		store("good", "      telegram:\n        bot_token_file: bot.token\n        chat_id: \"-100\"\n"+
			"      webhook:\n        url_env: KRAMAR_TEST_HOOK\n        template: \"{{.ID}} {{.Amount}}\"\n      max_age: 2h\n") +
		store("bad", "      telegram:\n        bot_token_env: \"777:BOT-SECRET\"\n        template: \"{{.Nope}}\"\n"+
			"      webhook:\n        url: \"hooks.example/KEY-SECRET\"\n      max_age: 0s\n")
	path := filepath.Join(dir, "kramar.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range Check(path) {
		for _, secret := range []string{"BOT-SECRET", "FILE-SECRET", "KEY-SECRET"} {
			if strings.Contains(p.String(), secret) {
				t.Errorf("a problem shows a secret: %s", p)
			}
		}
		got[p.Store+" "+p.Field] = p.Message
	}
	for _, want := range []string{"bad notify.telegram.bot_token_env", "bad notify.telegram.chat_id",
		"bad notify.telegram.template", "bad notify.webhook.url", "bad notify.max_age"} {
		if _, ok := got[want]; !ok {
			t.Errorf("no problem for %s; got %v", want, got)
		}
	}
	for k := range got {
		if strings.HasPrefix(k, "good ") {
			t.Errorf("the good store has a problem: %s: %s", k, got[k])
		}
	}

	t.Setenv(EnvClickHouseDSN, "clickhouse://127.0.0.1:9000/kramar")
	if err := os.WriteFile(path, []byte("stores:\n"+store("good", "      telegram:\n        bot_token_file: bot.token\n        chat_id: \"-100\"\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Stores[0]
	if tok, err := s.BotToken(); err != nil || tok != "888:FILE-SECRET" {
		t.Errorf("bot token from a file beside the config: %q, %v", tok, err)
	}
	if !s.Notify.Enabled() || s.Notify.Age().Hours() != 24 || cfg.Stores[0].Notify.Webhook.enabled() {
		t.Errorf("notify defaults: %+v", s.Notify)
	}
}
