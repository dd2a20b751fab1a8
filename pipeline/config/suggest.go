package config

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Suggestion is a mapping entry the warehouse's data asks for: a
// marketplace value that no mapping of the config covers.
type Suggestion struct {
	Marketplace string
	Kind        string // status | delivery | payment
	Value       string // the key to write: the value as orders carry it
	Name        string // the marketplace's own name for it, if it has one
	Orders      uint64 // orders that carry it with no CRM value
	Stores      []string
}

// CRM is the name the entry maps to until the seller writes their own: the
// marketplace's name (unless it is a bare number), else the value itself.
// Never empty, so a pasted suggestion maps the value.
func (s Suggestion) CRM() string {
	if s.Name != "" && strings.Trim(s.Name, "0123456789") != "" {
		return s.Name
	}
	return s.Value
}

func (s Suggestion) comment() string {
	var parts []string
	if s.Name != "" && s.Name != s.Value {
		parts = append(parts, fmt.Sprintf("%s: «%s»", s.Marketplace, s.Name))
	}
	if s.Orders > 0 {
		parts = append(parts, fmt.Sprintf("%d orders", s.Orders))
	} else {
		parts = append(parts, "only in the reference list")
	}
	return strings.Join(parts, "; ") + " (" + strings.Join(s.Stores, ", ") + ")"
}

// MappingKinds are the mapping tables of a marketplace, in file order.
var MappingKinds = []string{"status", "delivery", "payment"}

// SortSuggestions orders suggestions as they are printed: by marketplace,
// kind (status, delivery, payment), then the most orders first.
func SortSuggestions(ss []Suggestion) {
	kind := map[string]int{}
	for i, k := range MappingKinds {
		kind[k] = i
	}
	sort.SliceStable(ss, func(i, j int) bool {
		a, b := ss[i], ss[j]
		switch {
		case a.Marketplace != b.Marketplace:
			return a.Marketplace < b.Marketplace
		case a.Kind != b.Kind:
			return kind[a.Kind] < kind[b.Kind]
		case a.Orders != b.Orders:
			return a.Orders > b.Orders
		}
		return a.Value < b.Value
	})
}

// RenderSuggestions writes sorted suggestions as a mappings: block to paste
// into kramar.yaml.
func RenderSuggestions(ss []Suggestion) string {
	var b strings.Builder
	b.WriteString("mappings:\n")
	for _, group := range groupSuggestions(ss) {
		fmt.Fprintf(&b, "  %s:\n", group[0].Marketplace)
		for _, kind := range groupByKind(group) {
			fmt.Fprintf(&b, "    %s:\n", kind[0].Kind)
			for _, line := range entryLines(kind) {
				b.WriteString("      " + line + "\n")
			}
		}
	}
	return b.String()
}

// entryLines are `key: CRM name   # comment` lines, their comments aligned.
func entryLines(ss []Suggestion) []string {
	pairs := make([]string, len(ss))
	width := 0
	for i, s := range ss {
		pairs[i] = yamlPair(s.Value, s.CRM())
		width = max(width, utf8.RuneCountInString(pairs[i]))
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = pairs[i] + strings.Repeat(" ", width-utf8.RuneCountInString(pairs[i])) + "  # " + s.comment()
	}
	return out
}

// yamlPair is one `key: value` line, quoted wherever YAML needs it ("28",
// names with a colon or a #).
func yamlPair(k, v string) string {
	out, err := yaml.Marshal(map[string]string{k: v})
	if err != nil {
		return fmt.Sprintf("%q: %q", k, v)
	}
	return strings.TrimRight(string(out), "\n")
}

func groupSuggestions(ss []Suggestion) [][]Suggestion {
	return groupBy(ss, func(s Suggestion) string { return s.Marketplace })
}

func groupByKind(ss []Suggestion) [][]Suggestion {
	return groupBy(ss, func(s Suggestion) string { return s.Kind })
}

// groupBy splits sorted ss into runs of equal key.
func groupBy(ss []Suggestion, key func(Suggestion) string) [][]Suggestion {
	var out [][]Suggestion
	for i, s := range ss {
		if i == 0 || key(s) != key(ss[i-1]) {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], s)
	}
	return out
}

// AddSuggestions adds sorted suggestions to the config file src as commented
// lines, each where it belongs (after the last entry of its marketplace's
// table, or as a commented table where there is none), and leaves every
// other byte of the file as it was. Entries already suggested there are not
// added again. It returns the new file and how many entries it added.
func AddSuggestions(src []byte, ss []Suggestion, note string) ([]byte, int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, 0, err
	}
	lines := splitLines(src)
	ins := map[int][]string{} // after line n (1-based; 0 = top): lines to add
	parents := map[int][]string{}
	added := 0
	mappings := mapValue(rootMapping(&doc), "mappings")
	for _, group := range groupSuggestions(ss) {
		mp := group[0].Marketplace
		market := mapValue(mappings, mp)
		for _, kind := range groupByKind(group) {
			table := mapValue(market, kind[0].Kind)
			var at, indent int
			var prefix []string // commented parents of the entries
			switch {
			case table != nil && table.Kind == yaml.MappingNode && len(table.Content) > 0:
				at, indent = lastLine(table), table.Content[0].Column-1
			case market != nil && market.Kind == yaml.MappingNode && len(market.Content) > 0:
				at, indent = lastLine(market), market.Content[0].Column-1
				prefix = []string{kind[0].Kind + ":"}
			case mappings != nil && mappings.Kind == yaml.MappingNode && len(mappings.Content) > 0:
				at, indent = lastLine(mappings), mappings.Content[0].Column-1
				prefix = []string{mp + ":", "  " + kind[0].Kind + ":"}
			default:
				at, indent = len(lines), 0
				prefix = []string{"mappings:", "  " + mp + ":", "    " + kind[0].Kind + ":"}
			}
			fresh := notYetSuggested(kind, lines, at, len(prefix))
			if len(fresh) == 0 {
				continue
			}
			pad := strings.Repeat(" ", indent)
			block := ins[at]
			if len(block) == 0 {
				block = append(block, pad+"# "+note)
			}
			// Tables of one marketplace added at one place share its line.
			last, common := parents[at], 0
			for common < len(prefix) && common < len(last) && prefix[common] == last[common] {
				common++
			}
			for _, p := range prefix[common:] {
				block = append(block, pad+"# "+p)
			}
			parents[at] = prefix
			inner := strings.Repeat("  ", len(prefix))
			for _, l := range entryLines(fresh) {
				block = append(block, pad+"# "+inner+l)
			}
			ins[at] = block
			added += len(fresh)
		}
	}
	var out bytes.Buffer
	for n := 0; n <= len(lines); n++ {
		if n > 0 {
			out.WriteString(lines[n-1])
		}
		if block := ins[n]; len(block) > 0 {
			if n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
				out.WriteString("\n")
			}
			for _, l := range block {
				out.WriteString(l + "\n")
			}
		}
	}
	return out.Bytes(), added, nil
}

// notYetSuggested drops the suggestions whose key already stands, commented
// at depth, in the comment lines right after line at (an earlier --write).
func notYetSuggested(ss []Suggestion, lines []string, at, depth int) []Suggestion {
	have := map[string]bool{}
	for i := at; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(t, "#") {
			break
		}
		body := strings.TrimPrefix(strings.TrimPrefix(t, "#"), " ")
		if len(body)-len(strings.TrimLeft(body, " ")) != 2*depth {
			continue
		}
		var entry map[string]any
		if yaml.Unmarshal([]byte(body), &entry) == nil && len(entry) == 1 {
			for k := range entry {
				have[k] = true
			}
		}
	}
	var out []Suggestion
	for _, s := range ss {
		if !have[s.Value] {
			out = append(out, s)
		}
	}
	return out
}

func splitLines(src []byte) []string {
	var out []string
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			out = append(out, string(src))
			break
		}
		out = append(out, string(src[:i+1]))
		src = src[i+1:]
	}
	return out
}

func rootMapping(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0]
	}
	return nil
}

// mapValue is the value of key in mapping node m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// lastLine is the last line any node under n stands on.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}
