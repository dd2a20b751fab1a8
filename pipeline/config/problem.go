package config

import (
	"fmt"
	"strings"
)

// Problem is one mistake (or, with Warning, one doubt) in a config file.
type Problem struct {
	File string
	// Line is 1-based; 0 when the problem has no place in the file.
	Line int
	// Store is the id of the store the problem is in, if any.
	Store string
	// Field is the key path: relative to the store when Store is set
	// ("hold.minutes"), else from the top ("defaults.lookback", "stores[2].id").
	Field   string
	Message string
	// Warning problems are reported by Check but do not stop Load.
	Warning bool
}

// String reads like `kramar.yaml:14: store "prom-main": token_env: environment variable PROM_MAIN_TOKEN is not set`.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Store != "" {
		fmt.Fprintf(&b, "store %q: ", p.Store)
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// AboutWarehouse tells whether p stops a command that needs only the
// warehouse: the file itself cannot be read, or the clickhouse section is wrong.
func (p Problem) AboutWarehouse() bool {
	return p.Store == "" && (p.Field == "" || p.Field == "clickhouse" || strings.HasPrefix(p.Field, "clickhouse."))
}

// Problems is the error Load returns: every mistake found, in file order.
type Problems struct {
	List []Problem
}

func (ps *Problems) Error() string {
	if len(ps.List) == 1 {
		return ps.List[0].String()
	}
	lines := []string{fmt.Sprintf("%d problems in the config:", len(ps.List))}
	for _, p := range ps.List {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}
