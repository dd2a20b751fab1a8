package config

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder fills a value from a yaml.Node tree key by key, so that one bad value
// does not hide the others, every unknown key is caught, and every key's line is
// remembered for later messages.
type decoder struct {
	lines    map[string]int  // key path → line of the key (or list item)
	failed   map[string]bool // key paths whose value could not be read
	problems []located
}

// located is a problem before its path is split into store and field.
type located struct {
	path    string
	line    int
	msg     string
	warning bool
}

func newDecoder() *decoder {
	return &decoder{lines: map[string]int{}, failed: map[string]bool{}}
}

func (d *decoder) fail(path string, line int, format string, args ...any) {
	d.failed[path] = true
	d.problems = append(d.problems, located{path: path, line: line, msg: fmt.Sprintf(format, args...)})
}

// present tells whether the file set the key and its value was readable.
func (d *decoder) present(path string) bool {
	_, ok := d.lines[path]
	return ok && !d.failed[path]
}

// lineOf finds the line of a path, or of its nearest parent written in the file
// (a missing key is reported where its store or section starts).
func (d *decoder) lineOf(path string) int {
	for {
		if l, ok := d.lines[path]; ok {
			return l
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with nothing after it leaves the zero value
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshalerType) {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.fail(path, n.Line, "%s", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(path, n.Line, "must be a list, not %s", nodeKindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := indexPath(path, i)
			d.lines[p] = item.Line
			d.decode(item, s.Index(i), p)
		}
		v.Set(s)
	default:
		d.decodeScalar(n, v, path)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(path, n.Line, "must be a set of keys, not %s", nodeKindName(n))
		return
	}
	fields := yamlFields(v.Type())
	var options reflect.Value
	if v.Type() == storeType {
		options = storeOptions(n, v)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		p := fieldPath(path, key.Value)
		if first, dup := seen[key.Value]; dup {
			d.fail(p, key.Line, "key is written twice (first on line %d)", first)
			continue
		}
		seen[key.Value] = key.Line
		dst := v
		index, ok := fields[key.Value]
		if !ok && v.Type() == storeType {
			dst, index, ok = optionField(options, key.Value)
		}
		if !ok {
			d.problems = append(d.problems, located{path: p, line: key.Line, msg: unknownKeyMessage(key.Value, fields, v.Type() == storeType)})
			continue
		}
		d.lines[p] = key.Line
		d.decode(val, dst.FieldByIndex(index), p)
	}
}

var storeType = reflect.TypeFor[Store]()

// storeOptions gives the store v (read from n) a fresh value of its
// marketplace's options, which its marketplace-specific keys fill; the
// zero Value when the marketplace declares none. The marketplace may be
// written after those keys, so it is looked up in n first.
func storeOptions(n *yaml.Node, v reflect.Value) reflect.Value {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, val := n.Content[i], n.Content[i+1]; k.Value == "marketplace" && val.Kind == yaml.ScalarNode {
			if newOptions := MarketplaceCapabilities(val.Value).Options; newOptions != nil {
				o := newOptions()
				v.FieldByName("Options").Set(reflect.ValueOf(o))
				return reflect.ValueOf(o).Elem()
			}
		}
	}
	return reflect.Value{}
}

// optionField finds a store key among the store's options, or else among
// another marketplace's: that key is read into a throwaway value (so a
// value of the wrong type is reported as anywhere else) and later
// reported as a key of other marketplaces' stores.
func optionField(options reflect.Value, key string) (reflect.Value, []int, bool) {
	if options.IsValid() {
		if index, ok := yamlFields(options.Type())[key]; ok {
			return options, index, true
		}
	}
	if other := optionsOwner(key); other.IsValid() {
		return other, yamlFields(other.Type())[key], true
	}
	return reflect.Value{}, nil, false
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(path, n.Line, "must be a set of keys, not %s", nodeKindName(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.fail(path, key.Line, "a key must be a single value, not %s", nodeKindName(key))
			continue
		}
		p := fieldPath(path, key.Value)
		if first, dup := seen[key.Value]; dup {
			d.fail(p, key.Line, "key is written twice (first on line %d)", first)
			continue
		}
		seen[key.Value] = key.Line
		d.lines[p] = key.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, elem, p)
		v.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	}
}

// decodeScalar writes its own messages rather than yaml's, which quote the value.
func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	var want string
	switch v.Kind() {
	case reflect.String:
		want = "a text value"
	case reflect.Int, reflect.Int64, reflect.Int32:
		want = "a whole number"
	case reflect.Float64, reflect.Float32:
		want = "a number"
	case reflect.Bool:
		want = "true or false"
	default:
		panic("config: no decoding for " + v.Type().String())
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(path, n.Line, "must be %s, not %s", want, nodeKindName(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.fail(path, n.Line, "must be %s", want)
	}
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of keys"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "a single value"
	}
}

// yamlFields maps each yaml key of a struct type to its field index, walking into
// `,inline` structs the way yaml does.
func yamlFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if opts == "inline" {
			for k, idx := range yamlFields(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = []int{i}
	}
	return out
}

// unknownKeyMessage suggests the nearest key of fields and, in a store, of
// any marketplace's options.
func unknownKeyMessage(key string, fields map[string][]int, store bool) string {
	names := slices.Collect(maps.Keys(fields))
	if store {
		names = append(names, allOptionKeys()...)
	}
	best, bestDist := "", 3
	for _, name := range names {
		if dist := editDistance(strings.ToLower(key), name); dist < bestDist || dist == bestDist && name < best {
			best, bestDist = name, dist
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key (did you mean %q?)", best)
	}
	return "unknown key"
}

// editDistance is the Levenshtein distance, for "did you mean" hints.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// Key paths look like `stores[1].hold.minutes` or `mappings.prom.delivery["Нова Пошта"]`.

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func fieldPath(parent, key string) string {
	if !plainKey.MatchString(key) {
		return parent + "[" + strconv.Quote(key) + "]"
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func indexPath(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

// parentPath drops the last segment of a key path.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		// The last segment is an index or a quoted key; a quoted key may hold
		// brackets, so find its opening by unquoting candidates.
		for i := strings.LastIndex(p, "["); i >= 0; i = strings.LastIndex(p[:i], "[") {
			inner := p[i+1 : len(p)-1]
			if _, err := strconv.Atoi(inner); err == nil {
				return p[:i]
			}
			if _, err := strconv.Unquote(inner); err == nil {
				return p[:i]
			}
		}
		return ""
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i]
	}
	return ""
}
