package config

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// purpose says what the config is read for: `config check` only warns about
// what a run could still get from the environment later.
type purpose int

const (
	forCheck purpose = iota
	forRun
	// forWarehouse: a command that only reads or writes the warehouse; only
	// the clickhouse section has to be right.
	forWarehouse
	// forServe: `kramar serve`, which also needs the web section's secrets.
	forServe
)

var (
	storeIDPattern = regexp.MustCompile(`^[a-z0-9_-]+$`)
	// envNamePattern is strict on purpose: a token pasted into token_env by mistake
	// must not be echoed back as "environment variable <token> is not set".
	envNamePattern = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
)

// validate adds every mistake in cfg to d.problems. It runs before defaults are
// filled, so it judges only what the file says.
func validate(cfg *Config, d *decoder, why purpose) {
	v := validator{d: d}
	v.clickHouse(cfg, why)
	v.tunables("defaults", cfg.Defaults)
	v.schedule(cfg.Schedule)
	v.coordination(cfg.Coordination)
	v.web(cfg.Web, why)
	for m, mp := range cfg.Mappings {
		p := fieldPath("mappings", m)
		if !isKnownMarketplace(m) {
			v.problem(p, "unknown marketplace; known are %s", knownMarketplaces())
		}
		v.mappings(p, mp)
	}
	for m, out := range cfg.Outbound {
		p := fieldPath("outbound", m)
		if !isKnownMarketplace(m) {
			v.problem(p, "unknown marketplace; known are %s", knownMarketplaces())
		} else if !MarketplaceCapabilities(m).Push {
			v.problem(p, "kramar pushes nothing back to %s", m)
		}
		v.outbound(p, out)
	}
	if len(cfg.Stores) == 0 && !d.failed["stores"] {
		v.problem("stores", "at least one store is needed")
	}
	firstID := map[string]int{}
	for i, s := range cfg.Stores {
		v.store(indexPath("stores", i), cfg, s, firstID)
	}
}

type validator struct{ d *decoder }

func (v validator) problem(path, format string, args ...any) {
	v.d.problems = append(v.d.problems, located{path: path, line: v.d.lineOf(path), msg: fmt.Sprintf(format, args...)})
}

func (v validator) warning(path, format string, args ...any) {
	v.d.problems = append(v.d.problems, located{path: path, line: v.d.lineOf(path), msg: fmt.Sprintf(format, args...), warning: true})
}

var clusterNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (v validator) clickHouse(cfg *Config, why purpose) {
	ch := cfg.ClickHouse
	if v.d.failed["clickhouse"] {
		return // already reported; "no address" would only repeat it
	}
	if ch.FlushInterval.Duration < 0 || ch.FlushInterval.Duration > time.Minute {
		v.problem("clickhouse.flush_interval", "must be between 0 (the default, 1s) and 1m")
	}
	if ch.Cluster != "" && !clusterNamePattern.MatchString(ch.Cluster) {
		v.problem("clickhouse.cluster", "must be a cluster name from the servers' <remote_servers> (letters, digits, _)")
	}
	if ch.DSNEnv != "" && !envNamePattern.MatchString(ch.DSNEnv) {
		v.problem("clickhouse.dsn_env", "must be the name of an environment variable (like KRAMAR_CLICKHOUSE_DSN), not the DSN itself")
		return
	}
	if os.Getenv(EnvClickHouseDSN) == "" && ch.DSNEnv != "" && os.Getenv(ch.DSNEnv) == "" && ch.DSN != "" {
		v.warning("clickhouse.dsn_env", "environment variable %s is not set; clickhouse.dsn is used instead", ch.DSNEnv)
	}
	dsn, source := cfg.dsnWithSource()
	if dsn == "" {
		msg := fmt.Sprintf("no ClickHouse address: set clickhouse.dsn or clickhouse.dsn_env, or the environment variable %s", EnvClickHouseDSN)
		if ch.DSNEnv != "" {
			msg = fmt.Sprintf("environment variable %s is not set, and neither clickhouse.dsn nor %s is", ch.DSNEnv, EnvClickHouseDSN)
		}
		if why != forCheck {
			v.problem("clickhouse", "%s", msg)
		} else {
			v.warning("clickhouse", "%s", msg)
		}
		return
	}
	// The DSN is never quoted back: it may carry a password.
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "clickhouse" && u.Scheme != "tcp") || u.Host == "" {
		v.problem(source.path, "%s must be a native-protocol address like clickhouse://127.0.0.1:9000/kramar (the value is not shown: it may hold a password)", source.name)
	}
}

func (v validator) tunables(prefix string, t StoreDefaults) {
	key := func(k string) (string, bool) {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		return p, v.d.present(p)
	}
	if p, ok := key("lookback"); ok && t.Lookback.Duration <= 0 {
		v.problem(p, "must be more than 0: orders changed just before the cursor would be missed")
	}
	if p, ok := key("safety_lag"); ok && t.SafetyLag.Duration < 0 {
		v.problem(p, "must not be negative")
	}
	if p, ok := key("initial_history"); ok && t.InitialHistory.Duration < 0 {
		v.problem(p, "must not be negative")
	}
	// A zero timeout would mean "wait forever" to an HTTP client.
	if p, ok := key("timeout"); ok && t.Timeout.Duration <= 0 {
		v.problem(p, "must be more than 0")
	}
	if p, ok := key("rate_per_second"); ok && (t.RatePerSecond < 0 || math.IsNaN(t.RatePerSecond) || math.IsInf(t.RatePerSecond, 0)) {
		v.problem(p, "must be 0 (unlimited) or more")
	}
	if p, ok := key("page_size"); ok && (t.PageSize < 1 || t.PageSize > 1000) {
		v.problem(p, "must be from 1 to 1000")
	}
	if p, ok := key("max_attempts"); ok && t.MaxAttempts < 1 {
		v.problem(p, "must be 1 or more")
	}
	if p, ok := key("batch_size"); ok && t.BatchSize < 1 {
		v.problem(p, "must be 1 or more")
	}
}

func (v validator) mappings(prefix string, m Mappings) {
	for _, table := range []struct {
		name string
		m    map[string]string
	}{{"status", m.Status}, {"delivery", m.Delivery}, {"payment", m.Payment}} {
		p := prefix + "." + table.name
		for k, val := range table.m {
			if strings.TrimSpace(k) == "" {
				v.problem(fieldPath(p, k), "a marketplace name here is empty")
				continue
			}
			if strings.TrimSpace(val) == "" && !v.d.failed[fieldPath(p, k)] {
				v.problem(fieldPath(p, k), "the CRM name is empty")
			}
		}
	}
}

func (v validator) outbound(prefix string, m map[string]Outbound) {
	for crm, o := range m {
		p := fieldPath(prefix, crm)
		if strings.TrimSpace(crm) == "" {
			v.problem(p, "a CRM status here is empty")
		}
		if strings.TrimSpace(o.Status) == "" && !v.d.failed[p+".status"] {
			v.problem(p+".status", "is required: the marketplace status this CRM status becomes")
		}
	}
}

// push checks the store's way back.
func (v validator) push(p string, cfg *Config, s Store) {
	if !s.Push.Enabled() && len(s.Push.Outbound) == 0 {
		return
	}
	caps := MarketplaceCapabilities(s.Marketplace)
	if s.Marketplace != "" && isKnownMarketplace(s.Marketplace) && !caps.Push {
		v.problem(p+".push", "kramar pushes nothing back to %s", s.Marketplace)
		return
	}
	v.outbound(p+".push.outbound", s.Push.Outbound)
	if s.Push.AutoAccept && caps.Accept.Status == "" {
		v.problem(p+".push.auto_accept", "%s has no accept step; use auto_cancel or close rules instead", s.Marketplace)
	}
	if s.Push.Orders && len(cfg.OutboundFor(s)) == 0 {
		v.warning(p+".push.orders", "no outbound mapping for %s: no CRM status will be pushed (add outbound.%s)", s.Marketplace, s.Marketplace)
	}
	for _, set := range []struct {
		name  string
		rules []StatusRule
	}{{"auto_cancel", s.Push.AutoCancel}, {"close", s.Push.Close}} {
		name := set.name
		for i, r := range set.rules {
			rp := indexPath(p+".push."+name, i)
			if strings.TrimSpace(r.Status) == "" {
				v.problem(rp+".status", "is required: the marketplace status the rule watches")
			}
			if strings.TrimSpace(r.To) == "" {
				v.problem(rp+".to", "is required: the marketplace status to move the order to")
			}
			if name == "auto_cancel" && r.After.Duration <= 0 {
				v.problem(rp+".after", "is required: how long an order may sit in %q before it is cancelled", r.Status)
			}
		}
	}
}

func (v validator) store(p string, cfg *Config, s Store, firstID map[string]int) {
	at := func(k string) string { return p + "." + k }
	switch {
	case s.ID == "":
		if !v.d.failed[at("id")] {
			v.problem(at("id"), "is required")
		}
	case !storeIDPattern.MatchString(s.ID):
		v.problem(at("id"), "may hold only a-z, 0-9, _ and -")
	default:
		if first, dup := firstID[s.ID]; dup {
			v.problem(at("id"), "is already used by the store on line %d", first)
		} else {
			firstID[s.ID] = v.d.lineOf(p)
		}
	}

	switch {
	case s.Marketplace == "":
		if !v.d.failed[at("marketplace")] {
			v.problem(at("marketplace"), "is required; known are %s", knownMarketplaces())
		}
	case s.Spec != "":
		// A spec describes the marketplace: any well-formed name goes.
		if !storeIDPattern.MatchString(s.Marketplace) {
			v.problem(at("marketplace"), "a marketplace described by a spec needs a name of a-z, 0-9, _ and -")
		}
		if _, err := os.Stat(s.SpecPath(cfg.Path)); err != nil {
			v.problem(at("spec"), "cannot read the spec: %v", err)
		}
	case !isKnownMarketplace(s.Marketplace):
		v.problem(at("marketplace"), "unknown marketplace %q; known are %s (or describe it with a spec)", s.Marketplace, knownMarketplaces())
	case !HasExtractor(s.Marketplace) && !s.SourceSet():
		hint := ""
		if h := MarketplaceCapabilities(s.Marketplace).Hint; h != "" {
			hint = " or, " + h
		}
		v.problem(at("marketplace"), "no built-in connector for marketplace %s: describe its API with a spec (see specs/)%s", s.Marketplace, hint)
	}
	oneOf(reflect.ValueOf(s.Options), func(key, msg string) { v.problem(at(key), "%s", msg) })

	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.problem(at("base_url"), "must be an http(s) address like https://my.prom.ua/api/v1")
		}
	}

	if s.FeedURL != "" {
		u, err := url.Parse(s.FeedURL)
		if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "" && u.Scheme != "file" && u.Host == "") {
			v.problem(at("feed_url"), "must be an http(s) address, a file:// URL or a local path")
		}
	}
	if s.BaseURL == "" && (MarketplaceCapabilities(s.Marketplace).NeedsBaseURL || s.SourceSet()) && !v.d.failed[at("base_url")] {
		v.problem(at("base_url"), "is required for %s stores: the address of the store's orders file or exchange", s.Marketplace)
	}
	oneOf(reflect.ValueOf(s), func(key, msg string) { v.problem(at(key), "%s", msg) })

	v.onlyForOthers(p, s)
	v.credentials(p, s)

	for _, k := range []struct{ key, value string }{{"order_type", s.OrderType}, {"order_source", s.OrderSource}} {
		if strings.TrimSpace(k.value) == "" && !v.d.failed[at(k.key)] {
			v.problem(at(k.key), "is required: the CRM needs it for every order")
		}
	}

	v.hold(p, cfg, s)
	v.push(p, cfg, s)
	v.notify(p, s)
	v.mappings(at("mappings"), s.Mappings)
	v.tunables(p, s.StoreDefaults)
}

// onlyForOthers reports the store keys set in the file that the store's
// marketplace does not have.
func (v validator) onlyForOthers(p string, s Store) {
	only := keysOnlyFor()
	keys := make([]string, 0, len(only))
	for k := range only {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		allowed := only[k]
		// A store described by a spec may use any credential key its API needs.
		if !v.d.present(p+"."+k) || allowed[s.Marketplace] || s.Marketplace == "" || !isKnownMarketplace(s.Marketplace) ||
			(s.Spec != "" && (k == "username" || k == "password_env" || k == "password_file")) {
			continue
		}
		v.problem(p+"."+k, "unknown key for a %s store (only %s stores have it)", s.Marketplace, strings.Join(sortedKeys(allowed), ", "))
	}
}

// credentials: a token everywhere; where the marketplace allows, a login instead,
// never both.
func (v validator) credentials(p string, s Store) {
	if s.Spec != "" {
		// The spec says what its API needs; a token or a login may be named.
		switch {
		case s.HasToken() && s.UsesLogin():
			v.problem(p+".username", "set either a token (token_env or token_file) or a login (username with password_env or password_file), not both")
		case s.HasToken():
			v.secret(p, s.tokenSource())
		case s.UsesLogin():
			v.secret(p, s.passwordSource())
		}
		return
	}
	if !MarketplaceCapabilities(s.Marketplace).Login {
		v.secret(p, s.tokenSource())
		return
	}
	hasToken := s.TokenEnv != "" || s.TokenFile != ""
	switch {
	case hasToken && s.UsesLogin():
		key := "username"
		if s.Username == "" {
			key = s.passwordSource().setKey()
		}
		v.problem(p+"."+key, "set either a token (token_env or token_file) or a login (username with password_env or password_file), not both")
	case s.loginReason() != "" && !s.UsesLogin():
		v.problem(p+".username", "%s", s.loginReason())
	case !hasToken && !s.UsesLogin() && MarketplaceCapabilities(s.Marketplace).CredentialsOptional:
	case !hasToken && !s.UsesLogin():
		v.problem(p+".token_env", "a token (token_env or token_file) or a login (username with password_env or password_file) is required")
	case hasToken:
		v.secret(p, s.tokenSource())
	default:
		if strings.TrimSpace(s.Username) == "" && !v.d.failed[p+".username"] {
			v.problem(p+".username", "is required with password_env or password_file")
		}
		v.secret(p, s.passwordSource())
	}
}

// secret checks that exactly one place is named and that the secret is there.
func (v validator) secret(p string, src secretSource) {
	switch {
	case src.env == "" && src.file == "":
		v.problem(p+"."+src.envKey, "one of %s or %s is required", src.envKey, src.fileKey)
	case src.env != "" && src.file != "":
		v.problem(p+"."+src.fileKey, "set only one of %s and %s", src.envKey, src.fileKey)
	case src.env != "" && !envNamePattern.MatchString(src.env):
		v.problem(p+"."+src.envKey, "must be the name of an environment variable (like %s), not the %s itself", src.example, src.what)
	default:
		if _, err := src.read(); err != nil {
			v.problem(p+"."+src.setKey(), "%s", err)
		}
	}
}

func (v validator) hold(p string, cfg *Config, s Store) {
	if v.d.present(p+".hold.minutes") && s.Hold.Minutes < 0 {
		v.problem(p+".hold.minutes", "must not be negative")
	}
	payments := cfg.MappingsFor(s).Payment
	for i, pt := range s.Hold.PaymentTypes {
		ip := indexPath(p+".hold.payment_types", i)
		switch {
		case v.d.failed[ip]:
		case strings.TrimSpace(pt) == "":
			v.problem(ip, "is empty")
		case !has(payments, pt):
			// Likely a typo: the name must match the cabinet's payment option exactly.
			v.warning(ip, "payment type %q is not in the payment mapping; check its spelling against the cabinet", pt)
		}
	}
}

func has(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
