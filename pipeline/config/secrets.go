package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Token reads the store's API token from its environment variable or file,
// trimming spaces and newlines. The error names the store and where the token
// was looked for, never a value.
func (s Store) Token() (string, error) { return s.tokenSource().readFor(s.ID) }

// Password reads the password of a store that logs in with a username
// (rozetka) from its environment variable or file, like Token.
func (s Store) Password() (string, error) { return s.passwordSource().readFor(s.ID) }

// SpecPath resolves the store's spec against the config file's folder.
func (s Store) SpecPath(configPath string) string {
	if s.Spec == "" || filepath.IsAbs(s.Spec) {
		return s.Spec
	}
	return filepath.Join(filepath.Dir(configPath), s.Spec)
}

// FeedSource resolves a local feed_url against the config file's folder, as
// token and spec files are; URLs and absolute paths stay as written.
func (s Store) FeedSource(configPath string) string {
	f := s.FeedURL
	if f == "" || strings.Contains(f, "://") || filepath.IsAbs(f) {
		return f
	}
	return filepath.Join(filepath.Dir(configPath), f)
}

// HasToken tells whether the store names a token (token_env or token_file).
func (s Store) HasToken() bool { return s.TokenEnv != "" || s.TokenFile != "" }

// UsesLogin tells whether the store logs in with username and password
// rather than a static token.
func (s Store) UsesLogin() bool {
	return s.Username != "" || s.PasswordEnv != "" || s.PasswordFile != ""
}

// secretSource is where one secret of a store is kept: an environment
// variable or a file, named by two config keys.
type secretSource struct {
	what            string // "token", "password"
	envKey, fileKey string // the config keys
	env, file       string // their values
	example         string // an environment variable name for messages
}

func (s Store) tokenSource() secretSource {
	return secretSource{"token", "token_env", "token_file", s.TokenEnv, s.TokenFile, "PROM_MAIN_TOKEN"}
}

func (s Store) passwordSource() secretSource {
	return secretSource{"password", "password_env", "password_file", s.PasswordEnv, s.PasswordFile, "ROZETKA_MAIN_PASSWORD"}
}

// setKey is the key the secret is read from: the file's when only it is set.
func (src secretSource) setKey() string {
	if src.env == "" && src.file != "" {
		return src.fileKey
	}
	return src.envKey
}

func (src secretSource) readFor(store string) (string, error) {
	v, err := src.read()
	if err != nil {
		return "", fmt.Errorf("store %q: %w", store, err)
	}
	return v, nil
}

func (src secretSource) read() (string, error) {
	switch {
	case src.env != "":
		v, ok := os.LookupEnv(src.env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", src.env)
		}
		if v = strings.TrimSpace(v); v == "" {
			return "", fmt.Errorf("environment variable %s is empty", src.env)
		}
		return v, nil
	case src.file != "":
		b, err := os.ReadFile(src.file)
		if err != nil {
			// Only the cause: *PathError repeats the path, which we give ourselves.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", fmt.Errorf("cannot read %s file %s: %v", src.what, src.file, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("%s file %s is empty", src.what, src.file)
		}
		return v, nil
	default:
		return "", fmt.Errorf("neither %s nor %s is set", src.envKey, src.fileKey)
	}
}

// ClusterName is the ClickHouse cluster of the warehouse:
// KRAMAR_CLICKHOUSE_CLUSTER if set, else clickhouse.cluster ("" = one server).
func (c *Config) ClusterName() string {
	if v := os.Getenv(EnvClickHouseCluster); v != "" {
		return v
	}
	return c.ClickHouse.Cluster
}

// DSN is the ClickHouse address: KRAMAR_CLICKHOUSE_DSN if set, else the variable
// named by clickhouse.dsn_env if set, else clickhouse.dsn. Empty when none is.
// It may hold a password: never log it. Several hosts
// (clickhouse://h1:9000,h2:9000/kramar) are tried in turn.
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
