package config

import (
	"os"
	"time"
)

// Names the CLI and the run share.
const (
	// DefaultPath is used when neither --config nor KRAMAR_CONFIG is given.
	DefaultPath = "kramar.yaml"
	// EnvConfig names the config file when --config is not given.
	EnvConfig = "KRAMAR_CONFIG"
	// EnvClickHouseDSN overrides clickhouse.dsn and clickhouse.dsn_env.
	EnvClickHouseDSN = "KRAMAR_CLICKHOUSE_DSN"
	// DefaultHoldMinutes is hold.minutes when a store does not set it.
	DefaultHoldMinutes = 5
)

// Default is what a tunable is when neither the store nor `defaults:` sets it.
// The CLI prints it; nothing may change it.
var Default = StoreDefaults{
	Lookback:       Duration{10 * time.Minute},
	SafetyLag:      Duration{5 * time.Second},
	InitialHistory: Duration{720 * time.Hour},
	RatePerSecond:  5,
	PageSize:       100,
	Timeout:        Duration{30 * time.Second},
	MaxAttempts:    6,
	BatchSize:      10000,
}

// ResolvePath picks the config file: the --config flag value if given, else
// KRAMAR_CONFIG, else kramar.yaml in the working folder.
func ResolvePath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if p := os.Getenv(EnvConfig); p != "" {
		return p
	}
	return DefaultPath
}

// KnownMarketplaces are the marketplace names a store or a mapping may use.
var KnownMarketplaces = []string{
	"prom", "rozetka", "horoshop", "epicentr", "zakupka",
	"allo", "hubber", "skidka", "allbiz", "shafa",
}

// withExtractor lists the marketplaces the pipeline can pull orders from today.
// A store on any other known marketplace is a mistake rather than a silently idle store.
var withExtractor = map[string]bool{"prom": true, "rozetka": true, "zakupka": true, "horoshop": true, "epicentr": true}

// LoginMarketplaces may log in with username and password instead of a
// static token (Rozetka: POST /sites, or a token made in the cabinet).
var LoginMarketplaces = map[string]bool{"rozetka": true, "zakupka": true, "horoshop": true}

// CredentialsOptional lists marketplaces whose stores may have no secret at
// all (Zakupka: an orders-file link can be public).
var CredentialsOptional = map[string]bool{"zakupka": true}

// NoProductionHost lists marketplaces without one API host: base_url is
// required (Zakupka: each store's own orders-file or exchange address).
var NoProductionHost = map[string]bool{"zakupka": true}

// CMLMarketplaces can take orders as CommerceML (protocol: file or
// 1c_exchange): Zakupka always; Allo, Hubber, Skidka, Allbiz and Shafa when
// the seller's platform exports its orders that way.
var CMLMarketplaces = map[string]bool{"zakupka": true, "allo": true, "hubber": true, "skidka": true, "allbiz": true, "shafa": true}

// Protocols are the ways CommerceML orders can be fetched.
var Protocols = []string{"file", "1c_exchange"}

// storeKeysOnlyFor lists the store keys that mean something on some
// marketplaces only; on another marketplace they are unknown keys.
var storeKeysOnlyFor = map[string]map[string]bool{
	"username":               LoginMarketplaces,
	"password_env":           LoginMarketplaces,
	"password_file":          LoginMarketplaces,
	"customer_cancel_status": {"rozetka": true},
	"protocol":               CMLMarketplaces,
	"split_names":            {"horoshop": true},
	"article":                {"horoshop": true},
	"all_statuses":           CMLMarketplaces,
}

// MatchKeys are the offer fields a store may match products on (match_by).
var MatchKeys = []string{"id", "vendor_code", "barcode"}

// Articles are the article choices of a horoshop store.
var Articles = []string{"internal", "external"}

// HasExtractor tells whether orders of the marketplace can be pulled yet
// by a built-in connector (a store with a spec needs none).
func HasExtractor(marketplace string) bool { return withExtractor[marketplace] }

func isKnownMarketplace(m string) bool {
	for _, k := range KnownMarketplaces {
		if k == m {
			return true
		}
	}
	return false
}

// fillTunables sets every tunable of dst that the file left out (per present) from src.
func fillTunables(dst *StoreDefaults, src StoreDefaults, present func(key string) bool) {
	if !present("lookback") {
		dst.Lookback = src.Lookback
	}
	if !present("safety_lag") {
		dst.SafetyLag = src.SafetyLag
	}
	if !present("initial_history") {
		dst.InitialHistory = src.InitialHistory
	}
	if !present("rate_per_second") {
		dst.RatePerSecond = src.RatePerSecond
	}
	if !present("page_size") {
		dst.PageSize = src.PageSize
	}
	if !present("timeout") {
		dst.Timeout = src.Timeout
	}
	if !present("max_attempts") {
		dst.MaxAttempts = src.MaxAttempts
	}
	if !present("batch_size") {
		dst.BatchSize = src.BatchSize
	}
}
