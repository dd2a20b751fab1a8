package yml

import (
	"fmt"
	"strings"
)

// note is an oddity of a feed that does not stop it. Notes with one key
// make one warning per feed, however many offers share it.
type note struct {
	key   string
	count int
	// pos is the first occurrence's index in its item's buffer, or -1
	// when loc is already set.
	pos int
	loc location
	// say writes the warning for count occurrences, the first at line.
	say func(count, line int) string
}

// addNote counts one occurrence of key at pos. say is called only for the
// first occurrence in the feed, so it may capture that one's details.
func addNote(notes *[]note, key string, pos int, say func(count, line int) string) {
	for i := range *notes {
		if (*notes)[i].key == key {
			(*notes)[i].count++
			return
		}
	}
	*notes = append(*notes, note{key: key, count: 1, pos: pos, say: say})
}

// tally gathers a feed's notes in the order they first occur.
type tally struct {
	order []*note
	byKey map[string]*note
}

func (t *tally) add(n note) {
	if prev := t.byKey[n.key]; prev != nil {
		prev.count += n.count
		return
	}
	if t.byKey == nil {
		t.byKey = map[string]*note{}
	}
	t.byKey[n.key] = &n
	t.order = append(t.order, &n)
}

// addAll adds an item's notes, resolving the line of those that are new.
func (t *tally) addAll(it *item) {
	for _, n := range it.notes {
		if n.pos >= 0 && t.byKey[n.key] == nil {
			n.loc = it.loc.at(it.buf, n.pos)
		}
		t.add(n)
	}
}

// warnings writes one warning per key, prefixed with the feed's name.
func (t *tally) warnings(feed string) []string {
	prefix := ""
	if feed != "" {
		prefix = "feed " + feed + ": "
	}
	out := make([]string, 0, len(t.order))
	for _, n := range t.order {
		out = append(out, prefix+n.say(n.count, n.loc.line))
	}
	return out
}

// times is "once" or "N times".
func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// offers is "1 offer" or "N offers".
func offers(n int) string {
	if n == 1 {
		return "1 offer"
	}
	return fmt.Sprintf("%d offers", n)
}

// cut shortens a sample value for a warning.
func cut(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return strings.TrimSpace(s)
}
