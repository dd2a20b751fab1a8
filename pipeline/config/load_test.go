package config

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/cml"
	"github.com/kramar/kramar/transforms/horoshop"
	"github.com/kramar/kramar/transforms/rozetka"
	"go.yaml.in/yaml/v3"
)

func mustLoad(t *testing.T, path string) *Config {
	t.Helper()
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return cfg
}

func TestLoadFillsDefaults(t *testing.T) {
	setTestEnv(t)
	cfg := mustLoad(t, "testdata/minimal.yaml")
	if cfg.Defaults != Default {
		t.Errorf("defaults: got %+v, want %+v", cfg.Defaults, Default)
	}
	s := cfg.Stores[0]
	if s.StoreDefaults != Default {
		t.Errorf("store tunables: got %+v, want %+v", s.StoreDefaults, Default)
	}
	want := StoreDefaults{
		Lookback: Duration{10 * time.Minute}, SafetyLag: Duration{5 * time.Second},
		InitialHistory: Duration{720 * time.Hour}, RatePerSecond: 5, PageSize: 100,
		Timeout: Duration{30 * time.Second}, MaxAttempts: 6, BatchSize: 10000,
	}
	if Default != want {
		t.Errorf("Default changed: %+v", Default)
	}
	if s.Hold.Minutes != DefaultHoldMinutes || DefaultHoldMinutes != 5 {
		t.Errorf("hold minutes: got %d", s.Hold.Minutes)
	}
	if s.Line != 4 || cfg.Path != "testdata/minimal.yaml" {
		t.Errorf("line %d, path %q", s.Line, cfg.Path)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
}

func TestLoadDefaultsLayering(t *testing.T) {
	setTestEnv(t)
	cfg := mustLoad(t, "testdata/override.yaml")
	main, outlet := cfg.Stores[0], cfg.Stores[1]

	// From defaults:, including an explicit 0 that must not fall back to Default.
	if main.Lookback.Duration != 30*time.Minute || main.RatePerSecond != 0 || main.PageSize != 100 {
		t.Errorf("main: %+v", main.StoreDefaults)
	}
	// The store's own values, including explicit zeros.
	if outlet.Lookback.Duration != time.Minute || outlet.SafetyLag.Duration != 0 || outlet.Hold.Minutes != 0 {
		t.Errorf("outlet: %+v hold %+v", outlet.StoreDefaults, outlet.Hold)
	}
	if outlet.SafetyLag.Duration == Default.SafetyLag.Duration || main.Hold.Minutes != 5 {
		t.Errorf("defaults leaked over explicit values")
	}
}

func TestMappingsFor(t *testing.T) {
	setTestEnv(t)
	cfg := mustLoad(t, "testdata/override.yaml")
	main, outlet := cfg.MappingsFor(cfg.Stores[0]), cfg.MappingsFor(cfg.Stores[1])

	wantOutlet := Mappings{
		Status:   map[string]string{"pending": "Новий", "received": "Прийнято (аутлет)"},
		Delivery: map[string]string{"Самовивіз": "Самовивіз зі складу"},
		Payment:  map[string]string{"Пром-оплата": "Пром-оплата"},
	}
	if !reflect.DeepEqual(outlet, wantOutlet) {
		t.Errorf("outlet: got %v, want %v", outlet, wantOutlet)
	}
	if main.Status["received"] != "Прийнято" || main.Delivery == nil || len(main.Delivery) != 0 {
		t.Errorf("main: %v", main)
	}
	// The marketplace's own table is not touched by the overlay.
	if cfg.Mappings["prom"].Status["received"] != "Прийнято" {
		t.Errorf("prom mappings changed: %v", cfg.Mappings["prom"])
	}
	if got := cfg.MappingsFor(Store{Marketplace: "rozetka"}); got.Status == nil || len(got.Status) != 0 {
		t.Errorf("unmapped marketplace: %v", got)
	}
}

func TestLoadReturnsEveryProblem(t *testing.T) {
	setTestEnv(t)
	cfg, err := Load("testdata/values.yaml")
	var ps *Problems
	if cfg != nil || !errors.As(err, &ps) {
		t.Fatalf("got %v, %v", cfg, err)
	}
	want := 0
	for _, p := range Check("testdata/values.yaml") {
		if !p.Warning {
			want++
		}
	}
	if len(ps.List) != want || want < 10 {
		t.Errorf("got %d problems, want %d", len(ps.List), want)
	}
	if first := strings.SplitN(err.Error(), "\n", 3); first[0] != "14 problems in the config:" ||
		first[1] != "  testdata/values.yaml:4: defaults.lookback: must be more than 0: orders changed just before the cursor would be missed" {
		t.Errorf("error text: %q", first)
	}
}

func TestLoadNeedsDSNWhereCheckWarns(t *testing.T) {
	setTestEnv(t)
	_, err := Load("testdata/no_dsn.yaml")
	var ps *Problems
	if !errors.As(err, &ps) || len(ps.List) != 1 || ps.List[0].Warning || ps.List[0].Field != "clickhouse" {
		t.Fatalf("got %v", err)
	}
	if w := Check("testdata/no_dsn.yaml"); len(w) != 1 || !w[0].Warning {
		t.Errorf("check: %v", w)
	}
	t.Setenv(EnvClickHouseDSN, "clickhouse://127.0.0.1:9000/kramar")
	if ps := Check("testdata/no_dsn.yaml"); len(ps) != 0 {
		t.Errorf("the environment's DSN is not taken")
	}
	if cfg := mustLoad(t, "testdata/no_dsn.yaml"); cfg.DSN() != "clickhouse://127.0.0.1:9000/kramar" {
		t.Errorf("DSN %q", cfg.DSN())
	}
}

func TestLoadKeepsWarnings(t *testing.T) {
	setTestEnv(t)
	cfg := mustLoad(t, "testdata/warnings.yaml")
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		"testdata/warnings.yaml:3: warning: clickhouse.dsn_env: environment variable KRAMAR_TEST_UNSET is not set; clickhouse.dsn is used instead",
		`testdata/warnings.yaml:11: warning: store "shop": hold.payment_types[0]: payment type "Пром-оплата" is not in the payment mapping; check its spelling against the cabinet`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDSNPrecedence(t *testing.T) {
	setTestEnv(t)
	cfg := &Config{ClickHouse: ClickHouse{DSN: "clickhouse://file:9000/a", DSNEnv: "KRAMAR_TEST_DSN"}}
	t.Setenv("KRAMAR_TEST_DSN", "")
	if got := cfg.DSN(); got != "clickhouse://file:9000/a" {
		t.Errorf("dsn only: %q", got)
	}
	t.Setenv("KRAMAR_TEST_DSN", "clickhouse://named:9000/b")
	if got := cfg.DSN(); got != "clickhouse://named:9000/b" {
		t.Errorf("dsn_env over dsn: %q", got)
	}
	t.Setenv(EnvClickHouseDSN, "clickhouse://global:9000/c")
	if got := cfg.DSN(); got != "clickhouse://global:9000/c" {
		t.Errorf("KRAMAR_CLICKHOUSE_DSN over all: %q", got)
	}
	if got := (&Config{}).DSN(); got != "clickhouse://global:9000/c" {
		t.Errorf("empty config: %q", got)
	}
}

func TestToken(t *testing.T) {
	setTestEnv(t)
	t.Setenv("KRAMAR_TEST_SPACED", "  spaced\n")
	checkSecret(t, Store.Token, []secretCase{
		{Store{ID: "env", TokenEnv: "KRAMAR_TEST_TOKEN"}, testToken, ""},
		{Store{ID: "spaced", TokenEnv: "KRAMAR_TEST_SPACED"}, "spaced", ""},
		{Store{ID: "file", TokenFile: "testdata/good.token"}, "file-token-value", ""},
		{Store{ID: "unset", TokenEnv: "KRAMAR_TEST_UNSET"}, "", `store "unset": environment variable KRAMAR_TEST_UNSET is not set`},
		{Store{ID: "empty", TokenEnv: "KRAMAR_TEST_EMPTY"}, "", `store "empty": environment variable KRAMAR_TEST_EMPTY is empty`},
		{Store{ID: "nofile", TokenFile: "testdata/missing.token"}, "", `store "nofile": cannot read token file testdata/missing.token: no such file or directory`},
		{Store{ID: "blank", TokenFile: "testdata/empty.token"}, "", `store "blank": token file testdata/empty.token is empty`},
	})
}

type secretCase struct {
	store         Store
	want, wantErr string
}

// checkSecret reads each case's secret and compares it and the error.
func checkSecret(t *testing.T, read func(Store) (string, error), cases []secretCase) {
	t.Helper()
	for _, c := range cases {
		got, err := read(c.store)
		if got != c.want || (err == nil) != (c.wantErr == "") || err != nil && err.Error() != c.wantErr {
			t.Errorf("%s: got %q, %v; want %q, %q", c.store.ID, got, err, c.want, c.wantErr)
		}
	}
}

func TestTokenFileIsRelativeToConfig(t *testing.T) {
	setTestEnv(t)
	cfg := mustLoad(t, "testdata/token_file.yaml")
	if tok, err := cfg.Stores[0].Token(); err != nil || tok != "file-token-value" {
		t.Errorf("got %q, %v", tok, err)
	}
}

func TestPassword(t *testing.T) {
	setTestEnv(t)
	checkSecret(t, Store.Password, []secretCase{
		{Store{ID: "env", Username: "u", PasswordEnv: "KRAMAR_TEST_PASSWORD"}, testPassword, ""},
		{Store{ID: "file", Username: "u", PasswordFile: "testdata/good.password"}, "file-password-value", ""},
		{Store{ID: "unset", PasswordEnv: "KRAMAR_TEST_UNSET"}, "", `store "unset": environment variable KRAMAR_TEST_UNSET is not set`},
		{Store{ID: "empty", PasswordEnv: "KRAMAR_TEST_EMPTY"}, "", `store "empty": environment variable KRAMAR_TEST_EMPTY is empty`},
		{Store{ID: "nofile", PasswordFile: "testdata/missing.password"}, "", `store "nofile": cannot read password file testdata/missing.password: no such file or directory`},
		{Store{ID: "blank", PasswordFile: "testdata/empty.token"}, "", `store "blank": password file testdata/empty.token is empty`},
		{Store{ID: "none", Username: "u", TokenEnv: "KRAMAR_TEST_TOKEN"}, "", `store "none": neither password_env nor password_file is set`},
	})
}

func TestLoadRozetkaStores(t *testing.T) {
	setTestEnv(t)
	cfg := mustLoad(t, "testdata/rozetka.yaml")
	login, file, token := cfg.Stores[0], cfg.Stores[1], cfg.Stores[2]

	if !login.UsesLogin() || login.Username != "seller@example.com" || cancelStatus(login) != "Скасовано покупцем" {
		t.Errorf("login store: %+v", login)
	}
	if pw, err := login.Password(); err != nil || pw != testPassword {
		t.Errorf("login password: %q, %v", pw, err)
	}
	// password_file is taken from the config file's folder, like token_file.
	if pw, err := file.Password(); err != nil || pw != "file-password-value" || cancelStatus(file) != "" {
		t.Errorf("file store: %q, %v, %q", pw, err, cancelStatus(file))
	}
	if token.UsesLogin() {
		t.Errorf("token store uses a login")
	}
	if tok, err := token.Token(); err != nil || tok != "file-token-value" {
		t.Errorf("token store: %q, %v", tok, err)
	}
	if m := cfg.MappingsFor(login); m.Status["45"] != "Скасовано" || m.Payment["Оплата карткою онлайн"] != "Онлайн-оплата" {
		t.Errorf("mappings: %+v", m)
	}
	if !HasExtractor("rozetka") || HasExtractor("allo") {
		t.Errorf("extractors: rozetka %v, allo %v", HasExtractor("rozetka"), HasExtractor("allo"))
	}
}

// cancelStatus is a Rozetka store's customer_cancel_status.
func cancelStatus(s Store) string {
	return canon.OptionsOf[rozetka.Options](s.Options).CustomerCancelStatus
}

func TestDurationYAML(t *testing.T) {
	var v struct {
		D Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal([]byte("d: 90s\n"), &v); err != nil || v.D.Duration != 90*time.Second {
		t.Fatalf("got %v, %v", v.D, err)
	}
	out, err := yaml.Marshal(v)
	if err != nil || string(out) != "d: 1m30s\n" {
		t.Errorf("marshal: %q, %v", out, err)
	}
	var back struct {
		D Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal(out, &back); err != nil || back.D != v.D {
		t.Errorf("round trip: %v, %v", back.D, err)
	}
	for _, bad := range []string{"d: 10\n", "d: ten minutes\n", "d: [1m]\n"} {
		if err := yaml.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// exampleConfig is the repository's example config, with the secrets it
// names in the environment.
func exampleConfig(t *testing.T) string {
	setTestEnv(t)
	t.Setenv("PROM_MAIN_TOKEN", "main-token")
	t.Setenv("PROM_OUTLET_TOKEN", "outlet-token")
	t.Setenv("ROZETKA_MAIN_PASSWORD", testPassword)
	return filepath.Join("..", "..", "kramar.example.yaml")
}

func TestExampleFilePasses(t *testing.T) {
	path := exampleConfig(t)
	if ps := Check(path); len(ps) != 0 {
		t.Fatalf("kramar.example.yaml:%s", listProblems(ps))
	}
	cfg := mustLoad(t, path)
	if len(cfg.Stores) != 4 || cfg.Stores[0].ID != "prom-main" || cfg.Stores[1].ID != "prom-outlet" || cfg.Stores[2].ID != "rozetka-main" || cfg.Stores[3].ID != "zakupka-main" {
		t.Fatalf("stores: %+v", cfg.Stores)
	}
	prom := cfg.Mappings["prom"]
	for _, s := range []string{"pending", "received", "delivered", "canceled", "paid", "draft"} {
		if prom.Status[s] == "" {
			t.Errorf("status %s is not mapped", s)
		}
	}
	for _, d := range []string{"Нова Пошта", "Укрпошта", "Самовивіз", "Justin", "Delivery"} {
		if prom.Delivery[d] == "" {
			t.Errorf("delivery %s is not mapped", d)
		}
	}
	for _, p := range []string{"Оплата при отриманні", "Пром-оплата", "Безготівковий розрахунок", "Накладений платіж"} {
		if prom.Payment[p] == "" {
			t.Errorf("payment %s is not mapped", p)
		}
	}
	for _, s := range cfg.Stores[:2] {
		if !reflect.DeepEqual(s.Hold, Hold{PaymentTypes: []string{"Пром-оплата"}, Minutes: 5}) {
			t.Errorf("%s hold: %+v", s.ID, s.Hold)
		}
	}
	if tok, err := cfg.Stores[1].Token(); err != nil || tok != "outlet-token" {
		t.Errorf("outlet token: %q, %v", tok, err)
	}
}

// The example's Rozetka store logs in with a password from the environment.
func TestExampleRozetkaStore(t *testing.T) {
	path := exampleConfig(t)
	cfg := mustLoad(t, path)
	rz := cfg.Stores[2]
	if rz.ID != "rozetka-main" || rz.Marketplace != "rozetka" || rz.OrderSource != "Rozetka" || cancelStatus(rz) != "Скасовано покупцем" ||
		!reflect.DeepEqual(rz.Hold, Hold{PaymentTypes: []string{"Оплата карткою онлайн"}, Minutes: 5}) {
		t.Errorf("rozetka store: %+v", rz)
	}
	if pw, err := rz.Password(); err != nil || pw != testPassword || rz.Username == "" {
		t.Errorf("login: %q, %q, %v", rz.Username, pw, err)
	}
	m := cfg.MappingsFor(rz)
	for id, want := range map[string]string{"1": "Новий", "26": "В обробці", "2": "Комплектується", "61": "Готується до відправки",
		"3": "Відправлено", "4": "Доставляється", "5": "У відділенні", "6": "Виконано", "45": "Скасовано покупцем", "40": "Скасовано"} {
		if m.Status[id] != want {
			t.Errorf("status %s: %q, want %q", id, m.Status[id], want)
		}
	}
	if len(m.Delivery) == 0 || m.Payment["Оплата карткою онлайн"] == "" {
		t.Errorf("rozetka mappings: %+v", m)
	}
}

func TestResolvePath(t *testing.T) {
	t.Setenv(EnvConfig, "")
	if got := ResolvePath(""); got != "kramar.yaml" {
		t.Errorf("no flag, no env: %q", got)
	}
	t.Setenv(EnvConfig, "/etc/kramar.yaml")
	if got := ResolvePath(""); got != "/etc/kramar.yaml" {
		t.Errorf("env: %q", got)
	}
	if got := ResolvePath("my.yaml"); got != "my.yaml" {
		t.Errorf("flag: %q", got)
	}
}

func TestFeedSourceIsTakenFromTheConfigFolder(t *testing.T) {
	for feed, want := range map[string]string{
		"feeds/shop.xml":             "/etc/kramar/feeds/shop.xml",
		"/srv/feeds/shop.xml":        "/srv/feeds/shop.xml",
		"https://shop.example/f.xml": "https://shop.example/f.xml",
		"file:///srv/feeds/shop.xml": "file:///srv/feeds/shop.xml",
		"":                           "",
	} {
		if got := (Store{FeedURL: feed}).FeedSource("/etc/kramar/kramar.yaml"); got != want {
			t.Errorf("FeedSource(%q) = %q, want %q", feed, got, want)
		}
	}
}

// A store's own keys land in its connector's options struct, wherever the
// marketplace key stands; a store that sets none still gets fresh options.
func TestStoreOptionsAreTheConnectorsType(t *testing.T) {
	setTestEnv(t)
	cfg := mustLoad(t, writeConfig(t, "clickhouse:\n  dsn: clickhouse://127.0.0.1:9000/kramar\nstores:\n"+
		"  - id: zk\n    protocol: 1c_exchange\n    all_statuses: true\n    marketplace: zakupka\n    base_url: https://example.com/exchange\n"+
		"    username: u\n    password_env: KRAMAR_TEST_PASSWORD\n    order_type: Роздріб\n    order_source: Zakupka\n"+
		"  - id: hs\n    marketplace: horoshop\n    token_env: KRAMAR_TEST_TOKEN\n    order_type: Роздріб\n    order_source: Сайт\n"+
		"  - id: ep\n    marketplace: epicentr\n    token_env: KRAMAR_TEST_TOKEN\n    order_type: Роздріб\n    order_source: Epicentr\n"))
	if o, ok := cfg.Stores[0].Options.(*cml.Options); !ok || *o != (cml.Options{Protocol: cml.ProtocolExchange, AllStatuses: true}) || !cfg.Stores[0].SourceSet() {
		t.Errorf("zakupka options: %#v", cfg.Stores[0].Options)
	}
	if o, ok := cfg.Stores[1].Options.(*horoshop.Options); !ok || *o != (horoshop.Options{}) {
		t.Errorf("horoshop options: %#v", cfg.Stores[1].Options)
	}
	if cfg.Stores[2].Options != nil {
		t.Errorf("epicentr declares no options, got %#v", cfg.Stores[2].Options)
	}
}
