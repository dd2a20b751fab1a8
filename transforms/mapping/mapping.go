// Package mapping translates marketplace vocabulary (statuses, delivery and
// payment names) into the seller's CRM vocabulary through tables from the
// config.
//
// A value missing from a table is not an error: marketplaces add statuses
// and options without notice, and an order must still load. The caller
// keeps the marketplace value and leaves the CRM value empty.
package mapping

import (
	"sort"
	"strconv"
	"strings"
)

// Lookup finds key in table. An exact key wins; otherwise keys are compared
// ignoring case and surrounding spaces (tables are typed by hand, values
// come from APIs). If several keys match that way, the smallest key wins so
// the answer never depends on map order. A blank key or an unknown key
// gives ("", false).
func Lookup(table map[string]string, key string) (string, bool) {
	if v, ok := table[key]; ok && strings.TrimSpace(key) != "" {
		return v, true
	}
	want := strings.TrimSpace(key)
	if want == "" {
		return "", false
	}
	var matches []string
	for k := range table {
		if strings.EqualFold(strings.TrimSpace(k), want) {
			matches = append(matches, k)
		}
	}
	if len(matches) == 0 {
		return "", false
	}
	sort.Strings(matches)
	return table[matches[0]], true
}

// First tries each key in turn and returns the first hit.
func First(table map[string]string, keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := Lookup(table, k); ok {
			return v, true
		}
	}
	return "", false
}

// Option finds a marketplace option (a delivery or payment method) by the
// name its cabinet shows, then by its numeric id (0: none), since option
// lists carry both.
func Option(table map[string]string, name string, id int64) (string, bool) {
	if id == 0 {
		return First(table, name)
	}
	return First(table, name, strconv.FormatInt(id, 10))
}
