package rows

import (
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	gojson "github.com/goccy/go-json"

	"github.com/kramar/kramar/schema/canon"
)

// Hash is the default content hash of an order (orders._hash): xxHash64 of
// its JSON form with every time in UTC, so the same content hashes the same
// whichever time zone a transform left on a time. Decimals hash by value
// (1234.5 and 1234.50 are equal). Load metadata is not part of the order, so
// re-fetching an unchanged order gives the same hash.
func Hash(o *canon.Order) uint64 {
	c := *o
	c.CreatedAt = c.CreatedAt.UTC()
	c.ModifiedAt = c.ModifiedAt.UTC()
	if c.Royalty != nil {
		r := *c.Royalty
		r.AccruedAt = r.AccruedAt.UTC()
		c.Royalty = &r
	}
	// goccy/go-json writes the same JSON as encoding/json about twice as fast;
	// hashing runs once per order of every pull.
	b, err := gojson.Marshal(&c)
	if err != nil {
		// canon.Order holds only strings, bools, times and decimals, which
		// always marshal; reaching here is a programming error.
		panic("rows: hash order: " + err.Error())
	}
	return xxhash.Sum64(b)
}

var lastVersion atomic.Uint64

// NextVersion returns a _version for rows written now: the wall clock in
// nanoseconds, but always greater than any value it returned before in this
// process, so two writes in the same nanosecond (or after a clock step back)
// still order correctly.
func NextVersion() uint64 {
	for {
		last := lastVersion.Load()
		next := max(uint64(time.Now().UnixNano()), last+1)
		if lastVersion.CompareAndSwap(last, next) {
			return next
		}
	}
}
