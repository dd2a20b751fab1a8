// Package config reads and checks kramar.yaml.
//
// Load is for commands that run the pipeline; Check lists every mistake with its line,
// for `kramar config check`. Neither ever puts a secret (token, DSN password) in a message.
package config

import (
	"github.com/kramar/kramar/schema/canon"
)

// Config is the whole kramar.yaml.
type Config struct {
	// ClickHouse is the warehouse; KRAMAR_CLICKHOUSE_DSN overrides DSN.
	ClickHouse ClickHouse `yaml:"clickhouse"`
	// Defaults apply to every store unless the store sets its own.
	Defaults StoreDefaults `yaml:"defaults"`
	// Mappings per marketplace ("prom", "rozetka", …); a store may override.
	Mappings map[string]Mappings `yaml:"mappings"`
	// Outbound per marketplace, keyed by CRM status: what a CRM status
	// change becomes on the marketplace; a store's push.outbound overrides
	// it key by key. A CRM status absent here is not pushed.
	Outbound map[string]map[string]Outbound `yaml:"outbound"`
	Stores   []Store                        `yaml:"stores"`
	// Schedule is when `kramar serve` runs each job (see schedule.go).
	Schedule Schedule `yaml:"schedule"`
	// Coordination shares the stores among several `kramar serve`
	// workers through ZooKeeper (see coordination.go).
	Coordination Coordination `yaml:"coordination"`
	// Web is who may use serve's endpoints, and TLS (see web.go).
	Web Web `yaml:"web"`

	// Path is the file this config was read from (not in YAML).
	Path string `yaml:"-"`
	// Warnings are doubts that do not stop a run (for example a held payment
	// type missing from the payment mapping); Load fills them (not in YAML).
	Warnings []Problem `yaml:"-"`
}

// Store is the config's store called id.
func (c *Config) Store(id string) (*Store, bool) {
	for i := range c.Stores {
		if c.Stores[i].ID == id {
			return &c.Stores[i], true
		}
	}
	return nil, false
}

// ClickHouse is where the warehouse lives.
type ClickHouse struct {
	// DSN such as clickhouse://127.0.0.1:9000/kramar; a password in it is a secret.
	DSN string `yaml:"dsn"`
	// DSNEnv names an environment variable holding the DSN instead.
	DSNEnv string `yaml:"dsn_env"`
	// FlushInterval is the least time between two inserts into one table:
	// the rows of every store run in that time go as one insert per table
	// (0: the writer's default, 1s; ClickHouse advises about one insert per
	// second).
	FlushInterval Duration `yaml:"flush_interval"`
	// Cluster names the ClickHouse cluster (as in the servers'
	// <remote_servers>) the warehouse is laid out on: Replicated tables with
	// a Distributed table over each. Empty: one server.
	Cluster string `yaml:"cluster"`
}

// StoreDefaults are the tunables a store inherits. A key absent from the file takes
// the value from `defaults:`, and one absent there takes Default; a key written as 0
// stays 0 (so rate_per_second: 0 really means unlimited).
type StoreDefaults struct {
	Lookback       Duration `yaml:"lookback"`        // re-read before the cursor; default 10m
	SafetyLag      Duration `yaml:"safety_lag"`      // never read past now-lag; default 5s
	InitialHistory Duration `yaml:"initial_history"` // first run reaches this far back; default 720h
	RatePerSecond  float64  `yaml:"rate_per_second"` // per-store request rate; default 5, 0 = unlimited
	PageSize       int      `yaml:"page_size"`       // default 100
	Timeout        Duration `yaml:"timeout"`         // per request; default 30s
	MaxAttempts    int      `yaml:"max_attempts"`    // per request; default 6
	BatchSize      int      `yaml:"batch_size"`      // orders per insert; default 10000
}

// Mappings translate marketplace vocabulary into the seller's CRM
// vocabulary; transforms read them as they are.
type Mappings = canon.Mappings

// Outbound is what one CRM status becomes on the marketplace.
type Outbound struct {
	// Status is the marketplace's status code (Rozetka "3", Prom "canceled").
	Status string `yaml:"status"`
	// TTN passes the order's waybill along with this status.
	TTN bool `yaml:"ttn"`
	// CancelReason and CancelText go with a cancellation: Prom's
	// cancellation_reason / cancellation_text, Epicentr's reason code and
	// comment.
	CancelReason string `yaml:"cancel_reason"`
	CancelText   string `yaml:"cancel_text"`
}

// Push is what the way back does for a store; everything is off unless set.
type Push struct {
	// Orders pushes the CRM's status and ТТН changes (crm_updates).
	Orders bool `yaml:"orders"`
	// Stock pushes the CRM's stock (crm_stock) when it changed.
	Stock bool `yaml:"stock"`
	// AutoAccept moves new orders to accepted (Prom: pending → received).
	AutoAccept bool `yaml:"auto_accept"`
	// AutoCancel cancels orders stuck in a status for too long.
	AutoCancel []StatusRule `yaml:"auto_cancel"`
	// Close moves orders whose delivery succeeded to the closing status.
	Close []StatusRule `yaml:"close"`
	// Outbound overrides the marketplace's outbound mapping key by key.
	Outbound map[string]Outbound `yaml:"outbound"`
}

// Enabled tells whether the store pushes anything at all.
func (p Push) Enabled() bool {
	return p.Orders || p.Stock || p.AutoAccept || len(p.AutoCancel) > 0 || len(p.Close) > 0
}

// StatusRule moves orders that sit in Status for longer than After to To.
type StatusRule struct {
	Status       string   `yaml:"status"` // the marketplace status the order is in
	After        Duration `yaml:"after"`  // unchanged for this long (0 = at once)
	To           string   `yaml:"to"`     // the marketplace status to move it to
	CancelReason string   `yaml:"cancel_reason"`
	CancelText   string   `yaml:"cancel_text"`
}

// Store is one marketplace account.
type Store struct {
	ID          string `yaml:"id"`
	Marketplace string `yaml:"marketplace"`
	// BaseURL defaults to the marketplace's production host.
	BaseURL string `yaml:"base_url"`
	// TokenEnv names the environment variable that holds the API token;
	// TokenFile names a file holding it instead (a relative path is taken from the
	// config file's folder). The token itself never sits in the config.
	TokenEnv  string `yaml:"token_env"`
	TokenFile string `yaml:"token_file"`
	// Username with one of PasswordEnv / PasswordFile is a login instead of a
	// token, for marketplaces that have one (Capabilities.Login). The password is
	// kept like the token: in an environment variable or a file, never here.
	Username     string `yaml:"username"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`

	OrderType   string `yaml:"order_type"`
	OrderSource string `yaml:"order_source"`

	// Spec is a YAML file describing the marketplace's HTTP/JSON API (the
	// declarative connector): with it, any marketplace name works without
	// new code. A relative path is taken from the config file's folder.
	Spec string `yaml:"spec"`

	// Options are the keys only this marketplace's stores have, written
	// among the others in the file: a fresh value of its connector's
	// options struct (Capabilities.Options) filled from them, or nil when
	// the marketplace declares none.
	Options any `yaml:"-"`

	// FeedURL is the store's YML catalog feed (http(s) URL or local file);
	// when set, the catalog job reads it instead of the marketplace's API.
	FeedURL string `yaml:"feed_url"`
	// MatchBy is the offer field the CRM matches products on: id (the
	// seller's offer id, default), vendor_code or barcode. A feed's
	// external_id holds it, and every catalog load (feed or API) matches
	// the order lines' products by it (product_matches, source auto).
	MatchBy string `yaml:"match_by" oneof:"id,vendor_code,barcode"`

	Hold Hold `yaml:"hold"`
	// Push is the way back: statuses, ТТН, stock and order rules.
	Push Push `yaml:"push"`
	// Notify tells a Telegram chat or a webhook about new orders.
	Notify Notify `yaml:"notify"`
	// Mappings override the marketplace's mappings key by key; see Config.MappingsFor.
	Mappings Mappings `yaml:"mappings"`

	// Tunables; after Load every one is filled (from the store, defaults: or Default).
	StoreDefaults `yaml:",inline"`

	// Line is where the store starts in the file, for messages.
	Line int `yaml:"-"`
}

// Hold delays unpaid online-paid orders until paid or until the delay runs out.
type Hold struct {
	// PaymentTypes are marketplace payment names (as in the cabinet) to hold.
	PaymentTypes []string `yaml:"payment_types"`
	// Minutes to wait for payment; default 5, 0 = do not wait.
	Minutes int `yaml:"minutes"`
}
