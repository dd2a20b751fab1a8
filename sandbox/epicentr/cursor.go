package epicentr

import (
	"encoding/base64"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"

	wire "github.com/kramar/kramar/extractors/epicentr"
)

// A cursor is a keyset position: "the orders after (createdAt, id) in this
// sort order, under these filters". Positions do not move when orders are
// added or change status, which is why the API pages with cursors; a
// cursor from another query is refused rather than misread.
type cursor struct {
	sort  string // "createdAt" or "-createdAt"
	back  bool   // prev: the page before the key
	query string // signature of the filters
	at    key
}

const cursorVersion = "c1"

func (c cursor) encode() wire.Cursor {
	dir := "next"
	if c.back {
		dir = "prev"
	}
	raw := strings.Join([]string{cursorVersion, c.sort, dir, c.query, strconv.FormatInt(c.at.created, 10), c.at.id}, "|")
	return wire.Cursor(base64.RawURLEncoding.EncodeToString([]byte(raw)))
}

func decodeCursor(s string) (cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	f := strings.SplitN(string(raw), "|", 6)
	if len(f) != 6 || f[0] != cursorVersion || (f[2] != "next" && f[2] != "prev") {
		return cursor{}, false
	}
	created, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil {
		return cursor{}, false
	}
	return cursor{sort: f[1], back: f[2] == "prev", query: f[3], at: key{created, f[5]}}, true
}

// querySignature names the filters a cursor belongs to.
func querySignature(sortBy string, statuses []string, number string) string {
	st := slices.Clone(statuses)
	slices.Sort(st)
	h := fnv.New64a()
	_, _ = h.Write([]byte(sortBy + "|" + strings.Join(st, ",") + "|" + number))
	return strconv.FormatUint(h.Sum64(), 36)
}

// view is the filtered list in the asked order.
type view struct {
	recs []*record
	desc bool
}

// before says a comes before b in the view's order.
func (v view) before(a, b key) bool {
	if v.desc {
		return b.less(a)
	}
	return a.less(b)
}

// after is the index of the first record after k.
func (v view) after(k key) int {
	return sort.Search(len(v.recs), func(i int) bool { return v.before(k, v.recs[i].key()) })
}

// upTo is the index of the first record at or after k: records before it
// come before k.
func (v view) upTo(k key) int {
	return sort.Search(len(v.recs), func(i int) bool { return !v.before(v.recs[i].key(), k) })
}
