package config

import (
	"os"
	"reflect"
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
	// EnvClickHouseCluster overrides clickhouse.cluster.
	EnvClickHouseCluster = "KRAMAR_CLICKHOUSE_CLUSTER"
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

// fillTunables sets every tunable of dst that the file left out (per present) from src.
func fillTunables(dst *StoreDefaults, src StoreDefaults, present func(key string) bool) {
	d, v := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for key, index := range yamlFields(d.Type()) {
		if !present(key) {
			d.FieldByIndex(index).Set(v.FieldByIndex(index))
		}
	}
}
