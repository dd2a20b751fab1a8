package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"
)

// Web is who may use the endpoints of `kramar serve` (the console, the
// workbooks, the metrics) and how they are served. Without users the
// endpoints are open, and serve listens on a loopback address only.
type Web struct {
	// Users may log in to the console.
	Users []WebUser `yaml:"users"`
	// SessionTTL is how long a login lasts; default 12h.
	SessionTTL Duration `yaml:"session_ttl"`
	// MetricsTokenEnv names an environment variable holding the bearer
	// token Prometheus sends for /metrics; unset, only an ops session may
	// read the metrics.
	MetricsTokenEnv string `yaml:"metrics_token_env"`
	// TLS serves HTTPS with this certificate and key.
	TLS WebTLS `yaml:"tls"`
}

// WebUser is one login of the console. The password is kept only as a
// bcrypt hash (`kramar web hash-password`), in the file or an environment
// variable.
type WebUser struct {
	Name            string `yaml:"name"`
	PasswordHash    string `yaml:"password_hash"`
	PasswordHashEnv string `yaml:"password_hash_env"`
	// Role is ops (everything) or accountant (the workbooks only).
	Role string `yaml:"role" oneof:"ops,accountant"`
}

// WebTLS is a certificate and its key, both PEM files (a relative path is
// taken from the config file's folder).
type WebTLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// The roles of WebUser.Role.
const (
	RoleOps        = "ops"
	RoleAccountant = "accountant"
)

// DefaultSessionTTL is web.session_ttl when not set.
const DefaultSessionTTL = 12 * time.Hour

// MinMetricsToken is the shortest metrics token accepted: a bearer token
// is a password that anyone may try.
const MinMetricsToken = 16

// Enabled tells whether logins are configured: without them every endpoint
// is open (to the loopback address serve then insists on).
func (w Web) Enabled() bool { return len(w.Users) > 0 }

// TLSEnabled tells whether serve speaks HTTPS.
func (w Web) TLSEnabled() bool { return w.TLS.CertFile != "" && w.TLS.KeyFile != "" }

// Hash is the user's bcrypt hash, from password_hash or the environment
// variable password_hash_env names. The error never shows a value.
func (u WebUser) Hash() (string, error) {
	if u.PasswordHashEnv == "" {
		return u.PasswordHash, nil
	}
	return secretSource{"password hash", "password_hash_env", "", u.PasswordHashEnv, "", "KRAMAR_WEB_OPS_HASH"}.read()
}

// MetricsToken is the bearer token of /metrics; "" when metrics_token_env
// is not set.
func (w Web) MetricsToken() (string, error) {
	if w.MetricsTokenEnv == "" {
		return "", nil
	}
	return secretSource{"metrics token", "metrics_token_env", "", w.MetricsTokenEnv, "", "KRAMAR_METRICS_TOKEN"}.read()
}

// bcryptHash is what `kramar web hash-password` and other bcrypt tools
// print: $2a$, $2b$ or $2y$, a two-digit cost, 53 characters of salt and
// hash.
var bcryptHash = regexp.MustCompile(`^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$`)

// resolveWebPaths takes relative TLS files from the config file's folder.
func resolveWebPaths(w *Web, configPath string) {
	for _, f := range []*string{&w.TLS.CertFile, &w.TLS.KeyFile} {
		if *f != "" && !filepath.IsAbs(*f) {
			*f = filepath.Join(filepath.Dir(configPath), *f)
		}
	}
}

// fillWeb sets the web keys the file left out.
func fillWeb(dst *Web, present func(key string) bool) {
	if !present("web.session_ttl") {
		dst.SessionTTL = Duration{DefaultSessionTTL}
	}
}

// web checks what the file says under web:. A secret the environment
// lacks stops serve; for the other commands, which never serve the
// console, and for config check (the environment of serve may differ) it
// is a warning. No hash, token or password is ever quoted back.
func (v validator) web(w Web, why purpose) {
	if !v.d.present("web") {
		return
	}
	missing := v.problem
	if why != forServe {
		missing = v.warning
	}
	first := map[string]int{}
	for i, u := range w.Users {
		p := indexPath("web.users", i)
		name := strings.TrimSpace(u.Name)
		switch {
		case v.d.failed[p+".name"]:
		case name == "":
			v.problem(p+".name", "is required: the name the user logs in with")
		case name != u.Name || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
			v.problem(p+".name", "must have no spaces around it and no control characters")
		default:
			key := strings.ToLower(name)
			if line, dup := first[key]; dup {
				v.problem(p+".name", "is already used by the user on line %d", line)
			} else {
				first[key] = v.d.lineOf(p)
			}
		}
		if u.Role == "" && !v.d.failed[p+".role"] {
			v.problem(p+".role", "is required: %s (everything) or %s (the workbooks only)", RoleOps, RoleAccountant)
		}
		oneOf(reflect.ValueOf(u), func(key, msg string) { v.problem(p+"."+key, "%s", msg) })
		v.webUserHash(p, u, missing)
	}
	if t := w.SessionTTL.Duration; v.d.present("web.session_ttl") && (t < 5*time.Minute || t > 720*time.Hour) {
		v.problem("web.session_ttl", "must be between 5m and 720h")
	}
	if e := w.MetricsTokenEnv; e != "" {
		if !envNamePattern.MatchString(e) {
			v.problem("web.metrics_token_env", "must be the name of an environment variable (like KRAMAR_METRICS_TOKEN), not the token itself")
		} else if tok, err := w.MetricsToken(); err != nil {
			missing("web.metrics_token_env", "%s", err)
		} else if len(tok) < MinMetricsToken {
			v.problem("web.metrics_token_env", "the token in %s is too short: at least %d characters (for example from `openssl rand -hex 32`)", e, MinMetricsToken)
		}
	}
	v.webTLS(w.TLS)
}

func (v validator) webUserHash(p string, u WebUser, missing func(path, format string, args ...any)) {
	switch {
	case v.d.failed[p+".password_hash"] || v.d.failed[p+".password_hash_env"]:
	case u.PasswordHash == "" && u.PasswordHashEnv == "":
		v.problem(p+".password_hash", "one of password_hash or password_hash_env is required (make a hash with `kramar web hash-password`)")
	case u.PasswordHash != "" && u.PasswordHashEnv != "":
		v.problem(p+".password_hash_env", "set only one of password_hash and password_hash_env")
	case u.PasswordHashEnv != "" && !envNamePattern.MatchString(u.PasswordHashEnv):
		v.problem(p+".password_hash_env", "must be the name of an environment variable (like KRAMAR_WEB_OPS_HASH), not the hash itself")
	case u.PasswordHashEnv != "":
		h, err := u.Hash()
		if err != nil {
			missing(p+".password_hash_env", "%s", err)
		} else if !bcryptHash.MatchString(h) {
			v.problem(p+".password_hash_env", "environment variable %s does not hold a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters; the value is not shown); make one with `kramar web hash-password`", u.PasswordHashEnv)
		}
	case !bcryptHash.MatchString(u.PasswordHash):
		v.problem(p+".password_hash", "is not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters; the value is not shown); make one with `kramar web hash-password`")
	}
}

func (v validator) webTLS(t WebTLS) {
	switch {
	case t.CertFile == "" && t.KeyFile == "":
	case t.CertFile == "":
		v.problem("web.tls.cert_file", "is required with key_file")
	case t.KeyFile == "":
		v.problem("web.tls.key_file", "is required with cert_file")
	default:
		for _, f := range []struct{ key, path string }{{"cert_file", t.CertFile}, {"key_file", t.KeyFile}} {
			if _, err := os.ReadFile(f.path); err != nil {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				v.problem("web.tls."+f.key, "cannot read %s: %v", f.path, err)
				return
			}
		}
		// The parser's messages say what is wrong with the PEM, never
		// what the key holds.
		if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
			v.problem("web.tls", "%s and %s are not a usable certificate and key: %v", t.CertFile, t.KeyFile, err)
		}
	}
}

// Summary is a line for the log: how many users of each role, and
// whether the metrics take a token. Never a secret.
func (w Web) Summary() string {
	n := map[string]int{}
	for _, u := range w.Users {
		n[u.Role]++
	}
	s := fmt.Sprintf("%d ops, %d accountant", n[RoleOps], n[RoleAccountant])
	if w.MetricsTokenEnv != "" {
		s += ", metrics bearer token from " + w.MetricsTokenEnv
	}
	return s
}
