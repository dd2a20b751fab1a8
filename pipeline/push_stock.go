package pipeline

import (
	"context"
	"fmt"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/marketplace"
)

// pushStock sends the products whose CRM stock changed since it was last
// accepted, in the marketplace's batch size. Setting a stock level twice is
// harmless, so a batch whose answer was lost is simply sent again.
func (j *pushJob) pushStock(ctx context.Context, sp marketplace.StockPusher) error {
	changes, err := j.wh.StockChanges(ctx, j.store.Marketplace, j.store.ID, j.resend...)
	if err != nil {
		return err
	}
	size := max(sp.StockBatch(), 1)
	for start := 0; start < len(changes); start += size {
		batch := changes[start:min(start+size, len(changes))]
		items := make([]marketplace.StockItem, len(batch))
		for i, c := range batch {
			items[i] = marketplace.StockItem{ExternalID: c.ExternalID, ProductID: c.ProductID, Quantity: c.Quantity, StockManagedBy: c.StockManagedBy}
		}
		results, attempts, err := j.sendStock(ctx, sp, items)
		if httpx.KindOf(err) == httpx.KindAuth {
			return errStop{err}
		}
		if err := j.recordStock(ctx, batch, results, attempts, err); err != nil {
			return err
		}
	}
	return nil
}

// noteKeptStock asks a marketplace that keeps goods out of stock after a
// change (marketplace.StockKeeper) which products a landed action touched,
// so the stock push sends their CRM counts again.
func (j *pushJob) noteKeptStock(ctx context.Context, orderID string, a marketplace.Action) {
	sk, ok := j.pusher.(marketplace.StockKeeper)
	if !ok || !j.store.Push.Stock {
		return
	}
	ids, err := sk.KeptStock(ctx, orderID, a)
	if err != nil {
		j.log.Warn("could not read which goods the marketplace kept out of stock; they are sent again only when the CRM's count changes",
			"order", orderID, "error", err)
		return
	}
	j.resend = append(j.resend, ids...)
}

func (j *pushJob) sendStock(ctx context.Context, sp marketplace.StockPusher, items []marketplace.StockItem) ([]marketplace.StockResult, int, error) {
	pause := j.pauses()
	var lastErr error
	for try := 0; try < j.tries; try++ {
		if err := pause(ctx, try); err != nil {
			return nil, try, err
		}
		results, err := sp.PushStock(ctx, items)
		if err == nil {
			return results, try + 1, nil
		}
		if httpx.KindOf(err) == httpx.KindAuth {
			return nil, try + 1, err
		}
		lastErr = err
	}
	return nil, j.tries, lastErr
}

// recordStock writes one step per item: done, rejected with the
// marketplace's reason, or failed (sent again next cycle).
func (j *pushJob) recordStock(ctx context.Context, batch []clickhouse.StockToSend, results []marketplace.StockResult, attempts int, batchErr error) error {
	refused := map[string]error{}
	for _, r := range results {
		if r.Err != nil {
			refused[r.ExternalID] = r.Err
		}
	}
	now := j.now().UTC()
	steps := make([]clickhouse.PushStep, len(batch))
	for i, c := range batch {
		s := clickhouse.PushStep{
			PushID: fmt.Sprintf("stock/%s/%d", c.ExternalID, c.Quantity), Marketplace: j.store.Marketplace, Store: j.store.ID,
			ExternalID: c.ExternalID, Source: pushFromStock, Action: "stock", Quantity: c.Quantity,
			State: pushDone, Final: true, Closes: true, Attempt: uint32(attempts), At: now,
			Request: fmt.Sprintf(`{"product_id":%q,"quantity":%d}`, c.ProductID, c.Quantity),
		}
		switch err := refused[c.ExternalID]; {
		case batchErr != nil:
			s.State, s.Final, s.Closes, s.Reason = pushFailed, false, false, batchErr.Error()
			j.result.Held++
		case err != nil:
			s.State, s.Reason = pushRejected, err.Error()
			if reason, ok := marketplace.IsRejected(err); ok {
				s.Reason = reason
			}
			j.result.Rejected++
		default:
			j.result.Updated++
		}
		steps[i] = s
	}
	if err := j.wh.RecordPushSteps(context.WithoutCancel(ctx), steps...); err != nil {
		return errStop{fmt.Errorf("store %s: push log: %w", j.store.ID, err)}
	}
	if batchErr != nil {
		j.log.Warn("stock batch not sent; it goes again next cycle", "items", len(batch), "error", batchErr)
	}
	return nil
}
