package yml

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"sync"
)

// Options bound and tune one Parse.
type Options struct {
	// MaxBytes fails a feed longer than this many bytes; 0 means no limit.
	MaxBytes int64
	// Workers parse offers in parallel; 0 means GOMAXPROCS.
	Workers int
	// ChunkBytes is how much is read at a time; one chunk's offers are
	// parsed by one worker and delivered as one batch. 0 means 1 MiB.
	ChunkBytes int
	// MaxElementBytes bounds one offer, and the markup between two offers
	// (the header), which must be held whole; 0 means 64 MiB.
	MaxElementBytes int
	// Name is how warnings name the feed (its address without
	// credentials); empty names none.
	Name string
}

// Stats describe a parsed feed.
type Stats struct {
	Offers     int
	Categories int
	Currencies int
	Bytes      int64 // bytes read, as served
	// Encoding is what the feed was read as: "UTF-8" or "windows-1251"
	// (declared, or found in its bytes; see Parse).
	Encoding string
	// Warnings counts oddities that do not stop the feed; WarningSamples
	// holds them. Oddities of the whole feed come first, one warning each
	// however many offers share them (the encoding it was read in when
	// that is not the one declared, names written with Cyrillic letters
	// that look Latin, several URLs in one <picture>, names lost to
	// question marks, category ids defined twice); then the first few
	// warnings about single offers (no id, no price).
	Warnings       int
	WarningSamples []string
}

const maxWarningSamples = 20

// ErrTooLarge is wrapped by the error for a feed past Options.MaxBytes.
var ErrTooLarge = errors.New("feed too large")

// Parse reads a YML feed from r. onHeader is called once, before the
// first batch of offers (or at the end when there are none), with the
// shop as read so far; categories or currencies that follow the offers
// are added to the same *Shop, which is complete when Parse returns.
// onOffers receives the offers in feed order, in batches. Both run on the
// caller's goroutine, one call at a time; either may be nil, and an error
// from either stops the parse and is returned.
//
// A feed that is not well formed, is truncated, uses an encoding other
// than UTF-8 or windows-1251, holds bytes invalid in its encoding or
// declares a DOCTYPE internal subset fails with a *SyntaxError naming the
// line and byte offset; no partial success is reported for it. One
// exception is made for the encoding: a feed that declares UTF-8 (or
// nothing) but whose text is windows-1251 Cyrillic from its first
// non-ASCII byte on is read as windows-1251, with a warning.
func Parse(ctx context.Context, r io.Reader, opts Options, onHeader func(*Shop) error, onOffers func([]Offer) error) (Stats, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	rd := &reader{r: r, opts: opts}
	if err := rd.start(); err != nil {
		return Stats{Bytes: rd.total, Encoding: rd.dec.name()}, err
	}
	ordered := make(chan *item, 2*opts.Workers)
	jobs := make(chan *item, 2*opts.Workers)
	var wg sync.WaitGroup
	wg.Add(1 + opts.Workers)
	go func() {
		defer wg.Done()
		defer close(ordered)
		defer close(jobs)
		rd.run(ctx, ordered, jobs)
	}()
	for range opts.Workers {
		go func() {
			defer wg.Done()
			p := &offerParser{}
			for it := range jobs {
				if ctx.Err() == nil {
					p.job(it)
				}
				close(it.done)
			}
		}()
	}
	stats, err := deliver(ctx, opts.Name, ordered, onHeader, onOffers)
	cancel()
	wg.Wait()
	stats.Bytes = rd.total
	stats.Encoding = rd.dec.name()
	return stats, err
}

// Count parses the feed and counts its offers without keeping them: the
// parse-only path the benchmark measures.
func Count(ctx context.Context, r io.Reader, opts Options) (Stats, error) {
	return Parse(ctx, r, opts, nil, nil)
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = 1 << 20
	}
	if o.MaxElementBytes <= 0 {
		o.MaxElementBytes = 64 << 20
	}
	return o
}

// item is one piece of the feed in document order: a skeleton segment,
// a batch of offers (parsed by a worker, ready when done is closed), or
// the end of the feed (final, with the reader's error if any).
type item struct {
	loc location
	dec decoder // the encoding of its bytes
	// notes: oddities found in it, each counted once per key, its position
	// an index in buf (or its loc set, pos -1).
	notes []note

	segment []byte

	buf      []byte
	spans    []span
	done     chan struct{}
	offers   []Offer
	warnings []string
	err      error

	final bool
}

// span is one offer, buf[start:end].
type span struct{ start, end int }

// job parses one batch of offers.
func (p *offerParser) job(it *item) {
	p.dec, p.notes = it.dec, &it.notes
	it.offers = make([]Offer, len(it.spans))
	for k, sp := range it.spans {
		o := &it.offers[k]
		if err := p.parse(o, it.buf[:sp.end], sp.start); err != nil {
			it.err = it.loc.wrap(it.buf, err)
			return
		}
		switch {
		case o.ID == "":
			it.warnings = append(it.warnings, "offer at offset "+itoa(it.loc.offset+int64(sp.start))+" has no id")
		case o.Price == "":
			it.warnings = append(it.warnings, "offer "+o.ID+" has no price")
		}
	}
}

// deliver consumes the items in order: it feeds the skeleton, hands
// offers to the callbacks and stops at the first error in feed order.
func deliver(ctx context.Context, name string, ordered <-chan *item, onHeader func(*Shop) error, onOffers func([]Offer) error) (Stats, error) {
	var st Stats
	var notes tally
	sk := newSkeleton(&notes)
	headerSent := false
	header := func() error {
		if headerSent {
			return nil
		}
		headerSent = true
		if onHeader == nil {
			return nil
		}
		return onHeader(sk.shop)
	}
	for it := range ordered {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		switch {
		case it.final:
			if it.err != nil {
				return st, it.err
			}
			notes.addAll(it)
			if err := sk.finish(it.loc); err != nil {
				return st, err
			}
			if err := header(); err != nil {
				return st, err
			}
			st.Categories, st.Currencies = len(sk.shop.Categories), len(sk.shop.Currencies)
			if feedWide := notes.warnings(name); len(feedWide) > 0 {
				st.Warnings += len(feedWide)
				st.WarningSamples = append(feedWide, st.WarningSamples...)
			}
			return st, nil
		case it.done == nil:
			notes.addAll(it)
			if err := sk.feed(it.segment, it.loc, it.dec); err != nil {
				return st, err
			}
		default:
			<-it.done
			if !sk.inOffers() {
				return st, it.loc.at(it.buf, it.spans[0].start).fail("<offer> outside <offers>")
			}
			if it.err != nil {
				return st, it.err
			}
			notes.addAll(it)
			if err := header(); err != nil {
				return st, err
			}
			st.Offers += len(it.offers)
			for _, w := range it.warnings {
				if st.Warnings < maxWarningSamples {
					st.WarningSamples = append(st.WarningSamples, w)
				}
				st.Warnings++
			}
			if onOffers != nil {
				if err := onOffers(it.offers); err != nil {
					return st, err
				}
			}
		}
	}
	// The reader always ends with a final item unless cancelled.
	if err := ctx.Err(); err != nil {
		return st, err
	}
	return st, errors.New("yml: feed ended without an end marker")
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
