package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Load reads the config for a run: every default filled, every token and the
// ClickHouse address reachable. On any mistake it returns a *Problems listing
// them all; doubts that do not stop a run are left in Config.Warnings.
func Load(path string) (*Config, error) { return load(path, forRun) }

// LoadServe reads the config for `kramar serve`: as Load, and the web
// section's hashes and metrics token must be in the environment as well.
func LoadServe(path string) (*Config, error) { return load(path, forServe) }

// LoadStores reads the config for a command that reaches the marketplaces
// but not the warehouse (kramar probe): as Load, except that a missing
// ClickHouse address is only a warning.
func LoadStores(path string) (*Config, error) { return load(path, forCheck) }

// LoadWarehouse reads the config for a command that only reads or writes the
// warehouse (export, report, status, migrate…): only the clickhouse section has
// to be right, so an analyst needs no store's token. Every other mistake comes
// back as a warning, and with no config file at all $KRAMAR_CLICKHOUSE_DSN is
// enough.
func LoadWarehouse(path string) (*Config, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && os.Getenv(EnvClickHouseDSN) != "" {
		cfg := &Config{Path: path}
		applyDefaults(cfg, newDecoder())
		return cfg, nil
	}
	return load(path, forWarehouse)
}

func load(path string, why purpose) (*Config, error) {
	cfg, problems := read(path, why)
	var errs, warnings []Problem
	for _, p := range problems {
		if why == forWarehouse && !p.AboutWarehouse() {
			p.Warning = true
		}
		if p.Warning {
			warnings = append(warnings, p)
		} else {
			errs = append(errs, p)
		}
	}
	if len(errs) > 0 {
		return nil, &Problems{List: errs}
	}
	cfg.Warnings = warnings
	return cfg, nil
}

// Check lists every mistake in the config file, and warnings (Problem.Warning)
// for what a run may still get from its environment, such as the ClickHouse DSN.
func Check(path string) []Problem {
	_, problems := read(path, forCheck)
	return problems
}

// read parses, validates and fills defaults; problems come sorted by line.
func read(path string, why purpose) (*Config, []Problem) {
	cfg := &Config{Path: path}
	d := newDecoder()
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		msg := fmt.Sprintf("cannot read the config: %v", err)
		if why == forWarehouse {
			msg += fmt.Sprintf("; this command needs only the warehouse: set %s, or write a config with just a clickhouse section", EnvClickHouseDSN)
		}
		return cfg, []Problem{{File: path, Message: msg}}
	}
	root, extraDocLine, bad := parse(data, path)
	if bad != nil {
		return cfg, []Problem{*bad}
	}
	if root != nil {
		d.lines[""] = root.Line
		d.decode(root, reflect.ValueOf(cfg).Elem(), "")
	}
	if extraDocLine > 0 {
		d.problems = append(d.problems, located{line: extraDocLine, msg: "only one YAML document is allowed; remove the second ---"})
	}
	for i := range cfg.Stores {
		s := &cfg.Stores[i]
		s.Line = d.lineOf(indexPath("stores", i))
		for _, f := range []*string{&s.TokenFile, &s.PasswordFile, &s.Notify.Telegram.BotTokenFile} {
			if *f != "" && !filepath.IsAbs(*f) {
				*f = filepath.Join(filepath.Dir(path), *f)
			}
		}
	}
	resolveWebPaths(&cfg.Web, path)
	validate(cfg, d, why)
	applyDefaults(cfg, d)
	return cfg, d.resolve(path, cfg)
}

func applyDefaults(cfg *Config, d *decoder) {
	fillTunables(&cfg.Defaults, Default, func(k string) bool { return d.present("defaults." + k) })
	fillSchedule(&cfg.Schedule, d.present)
	fillCoordination(&cfg.Coordination, d.present)
	fillWeb(&cfg.Web, d.present)
	for i := range cfg.Stores {
		s := &cfg.Stores[i]
		p := indexPath("stores", i)
		fillTunables(&s.StoreDefaults, cfg.Defaults, func(k string) bool { return d.present(p + "." + k) })
		if !d.present(p + ".hold.minutes") {
			s.Hold.Minutes = DefaultHoldMinutes
		}
	}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parse reads the YAML syntax only; meaning is the decoder's job. root is nil
// for an empty file; extraDocLine is the line of a second document, if any.
func parse(data []byte, path string) (root *yaml.Node, extraDocLine int, bad *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, nil
		}
		p := Problem{File: path, Message: err.Error()}
		if m := yamlLine.FindStringSubmatch(p.Message); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = p.Message[len(m[0]):]
		}
		p.Message = "not valid YAML: " + p.Message
		return nil, 0, &p
	}
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		extraDocLine = max(next.Line, 1)
	case !errors.Is(err, io.EOF): // a second document that is broken as well
		extraDocLine = 1
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			extraDocLine, _ = strconv.Atoi(m[1])
		}
	}
	return root, extraDocLine, nil
}

var storePath = regexp.MustCompile(`^stores\[(\d+)\](?:\.(.*))?$`)

// resolve turns located problems into Problems: a path inside a store becomes
// the store's id and the key relative to it.
func (d *decoder) resolve(file string, cfg *Config) []Problem {
	var out []Problem
	for _, lp := range d.problems {
		p := Problem{File: file, Line: lp.line, Field: lp.path, Message: lp.msg, Warning: lp.warning}
		if m := storePath.FindStringSubmatch(lp.path); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(cfg.Stores) && cfg.Stores[i].ID != "" {
				p.Store, p.Field = cfg.Stores[i].ID, m[2]
			}
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}
