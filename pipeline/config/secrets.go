package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Token reads the store's API token from its environment variable or file,
// trimming spaces and newlines. The error names the store and where the token
// was looked for, never a value.
func (s Store) Token() (string, error) {
	t, err := s.token()
	if err != nil {
		return "", fmt.Errorf("store %q: %w", s.ID, err)
	}
	return t, nil
}

func (s Store) token() (string, error) {
	switch {
	case s.TokenEnv != "":
		v, ok := os.LookupEnv(s.TokenEnv)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", s.TokenEnv)
		}
		if v = strings.TrimSpace(v); v == "" {
			return "", fmt.Errorf("environment variable %s is empty", s.TokenEnv)
		}
		return v, nil
	case s.TokenFile != "":
		b, err := os.ReadFile(s.TokenFile)
		if err != nil {
			// Only the cause: *PathError repeats the path, which we give ourselves.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", fmt.Errorf("cannot read token file %s: %v", s.TokenFile, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("token file %s is empty", s.TokenFile)
		}
		return v, nil
	default:
		return "", errors.New("neither token_env nor token_file is set")
	}
}

// DSN is the ClickHouse address: KRAMAR_CLICKHOUSE_DSN if set, else the variable
// named by clickhouse.dsn_env if set, else clickhouse.dsn. Empty when none is.
// It may hold a password: never log it.
func (c *Config) DSN() string {
	dsn, _ := c.dsnWithSource()
	return dsn
}

// dsnSource says where the DSN came from, for messages that must not show it.
type dsnSource struct {
	name string // as told to a person
	path string // key path in the file, for the line
}

func (c *Config) dsnWithSource() (string, dsnSource) {
	if v := os.Getenv(EnvClickHouseDSN); v != "" {
		return v, dsnSource{"environment variable " + EnvClickHouseDSN, "clickhouse"}
	}
	if c.ClickHouse.DSNEnv != "" {
		if v := os.Getenv(c.ClickHouse.DSNEnv); v != "" {
			return v, dsnSource{"environment variable " + c.ClickHouse.DSNEnv, "clickhouse.dsn_env"}
		}
	}
	return c.ClickHouse.DSN, dsnSource{"the value", "clickhouse.dsn"}
}
