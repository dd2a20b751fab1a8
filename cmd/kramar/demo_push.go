package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

// demoPush shows the way back on prom-main: a manager's changes to two
// orders, stock for twenty products, and the store's rules (example config),
// pushed to the Prom sandbox.
func demoPush(ctx context.Context, out io.Writer, runner *pipeline.Runner, wh *clickhouse.Warehouse, cfg *config.Config,
	sb *promsb.Sandbox, token string) ([]pipeline.StoreResult, error) {
	const store = "prom-main"
	received, err := wh.OrdersInStatus(ctx, "prom", store, "received", time.Now())
	if err != nil {
		return nil, err
	}
	if len(received) < 2 {
		return nil, fmt.Errorf("demo: prom-main has %d received orders", len(received))
	}
	var ups []clickhouse.CRMUpdate
	for _, c := range []pipeline.CRMChange{
		{Store: store, OrderID: received[0].ID, Status: "Відправлено", TTN: "20450012345678", Carrier: "nova_poshta"},
		{Store: store, OrderID: received[1].ID, Status: "Немає в наявності"},
	} {
		c.ChangedBy, c.ChangedAt = "demo: менеджер Оля", time.Now()
		u, err := pipeline.NewCRMUpdate(cfg, c)
		if err != nil {
			return nil, err
		}
		ups = append(ups, u)
	}
	if err := wh.RecordCRMUpdates(ctx, ups); err != nil {
		return nil, err
	}
	var csv strings.Builder
	csv.WriteString("store,external_id,quantity\n")
	for i, id := range sb.ExternalIDs(token)[:20] {
		fmt.Fprintf(&csv, "%s,%s,%d\n", store, id, i%4)
	}
	stock, errs := pipeline.ParseStockCSV(strings.NewReader(csv.String()), "demo-stock.csv", cfg, time.Now())
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if err := wh.RecordCRMStock(ctx, stock); err != nil {
		return nil, err
	}
	results, err := runner.RunJob(ctx, pipeline.JobPush, store)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "The way back (kramar push): 2 CRM changes, 20 stock counts and the rules of %s:\n", store)
	printPushSummary(out, results)
	fmt.Fprintf(out, "  every call with its state and reason: SELECT * FROM %s.v_pushes\n\n", wh.Database())
	return results, nil
}
