package cml

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kramar/kramar/extractors/source"
)

// raw turns every document into a RawOrder: ID = Ид (Номер when Ид is
// empty), Body = the document as JSON of the wire types, so the transform
// and `kramar inspect` read JSON as for every other marketplace.
func (info *Info) raw() ([]source.RawOrder, error) {
	out := make([]source.RawOrder, 0, len(info.Documents))
	for i := range info.Documents {
		d := &info.Documents[i]
		body, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("cml: document %q: %w", d.Key(), err)
		}
		out = append(out, source.RawOrder{ID: d.Key(), Body: body})
	}
	return out, nil
}

// InWindow keeps the documents changed in [from, to] (inclusive, second
// precision). A document's change time is «Дата изменения» (or «Дата
// изменения статуса»), else its Дата + Время.
//
// When no document of the file carries a change date, every document is
// kept: a status change would otherwise be invisible, and the file is
// small (Zakupka exports the last 7 days); the pipeline de-duplicates and
// its content hash makes unchanged orders cheap. A document whose dates do
// not parse is kept too, so the transform rejects it by name instead of it
// vanishing.
func (info *Info) InWindow(from, to time.Time) []Document {
	anyChangeDate := false
	for i := range info.Documents {
		if _, ok, _ := info.Documents[i].Modified(); ok {
			anyChangeDate = true
			break
		}
	}
	if !anyChangeDate {
		return info.Documents
	}
	from, to = from.UTC().Truncate(time.Second), to.UTC().Truncate(time.Second)
	var out []Document
	for _, d := range info.Documents {
		t, ok, err := d.Modified()
		if err == nil && !ok {
			t, err = d.Created()
		}
		if err != nil || (!t.Before(from) && !t.After(to)) {
			out = append(out, d)
		}
	}
	return out
}

// find returns the RawOrder of the document with key id.
func (info *Info) find(id string) (source.RawOrder, error) {
	for i := range info.Documents {
		if info.Documents[i].Key() == id {
			one := Info{Documents: info.Documents[i : i+1]}
			raws, err := one.raw()
			if err != nil {
				return source.RawOrder{}, err
			}
			return raws[0], nil
		}
	}
	return source.RawOrder{}, &source.NotFoundError{ID: id}
}

// deliver hands the documents of [from, to] to page in one page.
func deliver(info *Info, from, to time.Time, page func([]source.RawOrder) error) error {
	window := Info{Documents: info.InWindow(from, to)}
	raws, err := window.raw()
	if err != nil || len(raws) == 0 {
		return err
	}
	return page(raws)
}

// OrdersFile is a store whose orders come as one CML file at a URL (Zakupka's
// «Файл заказов»). It implements source.Orders.
type OrdersFile struct {
	get *getter
}

// NewOrdersFile reads the orders file at c.BaseURL, the link copied from the
// shop's cabinet, which carries its own access key. A non-empty c.Token is
// sent as the query parameter key (no public Zakupka spec names one);
// Username/Password, when set, go as HTTP Basic auth.
// Neither ever appears in an error.
func NewOrdersFile(c source.Config) *OrdersFile {
	return &OrdersFile{get: newGetter(c)}
}

// Fetch downloads and parses the whole file.
func (f *OrdersFile) Fetch(ctx context.Context) (*Info, error) {
	return f.get.info(ctx, nil)
}

// ModifiedBetween fetches the file and hands on its documents changed in
// [from, to] as one page (see Info.InWindow for files without change dates).
func (f *OrdersFile) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	info, err := f.Fetch(ctx)
	if err != nil {
		return err
	}
	return deliver(info, from, to, page)
}

// Get fetches the file and returns the document with Ид (or Номер) id;
// *source.NotFoundError when the latest file does not hold it.
func (f *OrdersFile) Get(ctx context.Context, id string) (source.RawOrder, error) {
	info, err := f.Fetch(ctx)
	if err != nil {
		return source.RawOrder{}, err
	}
	return info.find(id)
}
