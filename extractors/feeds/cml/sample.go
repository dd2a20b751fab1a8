package cml

import (
	"context"
	"time"

	"github.com/kramar/kramar/extractors/source"
)

// Sample reads the orders the site offers now, changed in [from, to], and
// does not confirm them (no mode=success): the site keeps offering them to
// the next real exchange. kramar probe uses it.
func (e *Exchange) Sample(ctx context.Context, from, to time.Time, n int) ([]source.RawOrder, error) {
	info, err := e.Pull(ctx)
	if err != nil {
		return nil, err
	}
	var out []source.RawOrder
	err = deliver(info, from, to, func(p []source.RawOrder) error {
		out = append(out, p...)
		return nil
	})
	return out[:min(n, len(out))], err
}
