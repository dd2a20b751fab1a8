package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
	"github.com/kramar/kramar/sandbox/zakupka"
)

func init() { addCommand(demoCmd) }

func demoCmd() *cobra.Command {
	var database, example string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the jobs end to end: Prom, Rozetka and Zakupka sandboxes → pipeline → ClickHouse",
		Long: "Serves the Prom.ua (two stores), Rozetka and Zakupka sandboxes with seeded data, runs the\n" +
			"order job with the example config, then the reference and catalog jobs,\n" +
			"against the ClickHouse in $KRAMAR_CLICKHOUSE_DSN (database kramar), and prints per-store\n" +
			"counts and queries to try. `make demo` starts a local ClickHouse first.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			dsn, err := withDatabase(os.Getenv("KRAMAR_CLICKHOUSE_DSN"), database)
			if err != nil {
				return &exitError{2, err}
			}
			clock := kit.RealClock()
			sb := promsb.New(promsb.Options{Clock: clock, Seed: 2026})
			stores := []struct {
				env    string
				orders int
			}{{"PROM_MAIN_TOKEN", 400}, {"PROM_OUTLET_TOKEN", 250}}
			for _, s := range stores {
				token := randomToken()
				os.Setenv(s.env, token)
				sb.AddStore(token, s.orders)
			}
			// One broken record, to show how a reject looks; made a minute ago
			// so it is older than the pipeline's safety lag.
			clock.Advance(-time.Minute)
			sb.AddMalformed(os.Getenv("PROM_OUTLET_TOKEN"))
			clock.Advance(time.Minute)
			srv, base, err := kit.Serve("127.0.0.1:0", sb.Handler())
			if err != nil {
				return err
			}
			defer srv.Close()
			fmt.Fprintf(out, "Prom.ua sandbox on %s (stores prom-main: 400 orders, prom-outlet: 250 + 1 malformed)\n", base)

			rz := rzsb.New(rzsb.Options{Clock: clock, Seed: 2026})
			password := randomToken()
			os.Setenv("ROZETKA_MAIN_PASSWORD", password)
			rz.AddStore("seller@example.com", password, 300, 5000)
			rzSrv, rzBase, err := kit.Serve("127.0.0.1:0", rz.Handler())
			if err != nil {
				return err
			}
			defer rzSrv.Close()
			fmt.Fprintf(out, "Rozetka sandbox on %s (store rozetka-main: 300 orders, 5,000 offers)\n", rzBase)

			zk := zakupka.New(zakupka.Options{Clock: clock, Seed: 2026})
			zkKey := randomToken()
			os.Setenv("ZAKUPKA_DEMO_KEY", zkKey)
			zk.AddStore(zakupka.StoreOptions{Key: zkKey, Orders: 120, Encoding: zakupka.Windows1251, FeedOffers: 3000})
			zkSrv, zkBase, err := kit.Serve("127.0.0.1:0", zk.Handler())
			if err != nil {
				return err
			}
			defer zkSrv.Close()
			fmt.Fprintf(out, "Zakupka sandbox on %s (store zakupka-main: 120 orders in a windows-1251 CommerceML file, a 3,000-offer YML feed)\n", zkBase)

			cfg, err := config.Load(example)
			if err != nil {
				return &exitError{2, err}
			}
			for i, st := range cfg.Stores {
				cfg.Stores[i].RatePerSecond = 0 // the sandboxes are local
				switch st.Marketplace {
				case "prom":
					cfg.Stores[i].BaseURL = base + promsb.APIPath
				case "rozetka":
					cfg.Stores[i].BaseURL = rzBase
				case "zakupka":
					cfg.Stores[i].BaseURL = zkBase + zakupka.OrdersPath
					cfg.Stores[i].TokenEnv = "ZAKUPKA_DEMO_KEY"
					cfg.Stores[i].FeedURL = zkBase + zakupka.FeedPath + "?key=" + zkKey
				}
			}
			more, err := moreDemoStores(out, clock, cfg.Stores[0], "specs")
			for _, m := range more {
				defer m.close()
				cfg.Stores = append(cfg.Stores, m.store)
			}
			if err != nil {
				return err
			}
			wh, err := openWarehouse(ctx, dsn)
			if err != nil {
				return err
			}
			defer wh.Close()
			fmt.Fprintf(out, "ClickHouse database %s migrated\n\n", wh.Database())

			runner := &pipeline.Runner{Warehouse: wh, Config: cfg}
			var all []pipeline.StoreResult
			for _, job := range []struct{ name, title string }{
				{pipeline.JobOrders, "Orders"},
				{pipeline.JobReference, "Reference lists of the accounts (delivery services, payment methods, statuses)"},
				{pipeline.JobCatalog, "Catalogs (Rozetka and Horoshop from their APIs, Zakupka from its YML feed)"},
			} {
				var stores []string
				switch job.name {
				case pipeline.JobCatalog:
					stores = []string{"rozetka-main", "zakupka-main", "horoshop-main"}
				case pipeline.JobReference:
					stores = []string{"prom-main", "prom-outlet", "rozetka-main", "horoshop-main"}
				}
				results, err := runner.RunJob(ctx, job.name, stores...)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%s:\n", job.title)
				printSummary(out, results)
				fmt.Fprintln(out)
				all = append(all, results...)
			}
			pushed, err := demoPush(ctx, out, runner, wh, cfg, sb, os.Getenv("PROM_MAIN_TOKEN"))
			if err != nil {
				return err
			}
			all = append(all, pushed...)
			if err := demoReports(ctx, out, wh, time.Now()); err != nil {
				return err
			}
			if err := demoQuery(ctx, out, wh, dsn); err != nil {
				return err
			}
			if failed(all) > 0 {
				return &exitError{1, fmt.Errorf("%d store run(s) failed", failed(all))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&database, "database", "kramar", "ClickHouse database for the demo")
	cmd.Flags().StringVar(&example, "example-config", "kramar.example.yaml", "config whose stores the demo serves")
	return cmd
}

// demoQuery prints the orders per store and status, and queries to try.
func demoQuery(ctx context.Context, out io.Writer, wh *clickhouse.Warehouse, dsn string) error {
	counts, err := wh.OrdersByStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nOrders by store and CRM status (v_orders):\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, c := range counts {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", c.Store, c.Status, c.Orders, c.Amount.StringFixed(2))
	}
	tw.Flush()
	u, _ := url.Parse(dsn)
	port, db := u.Port(), wh.Database()
	fmt.Fprintf(out, "\nQueries to try (this server stops with the demo; `make clickhouse` keeps one running,\n"+
		"then `KRAMAR_CLICKHOUSE_DSN=<its DSN> go run ./cmd/kramar demo`):\n"+
		"  clickhouse-client --port %s --query \"%s\"\n"+
		"  clickhouse-client --port %s --query \"SELECT store, status, fetched, new, rejected, held FROM %s.pipeline_runs ORDER BY started_at DESC LIMIT 5\"\n"+
		"  clickhouse-client --port %s --query \"SELECT store, record_id, field, reason FROM %s.rejects\"\n",
		port, strings.ReplaceAll(strings.ReplaceAll(wh.OrdersByStatusSQL(), "\n", " "), `"`, `\"`), port, db, port, db)
	return nil
}

// withDatabase points a ClickHouse DSN at another database.
func withDatabase(dsn, db string) (string, error) {
	if dsn == "" {
		return "", fmt.Errorf("KRAMAR_CLICKHOUSE_DSN is not set; run `make demo`, which starts a local ClickHouse")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("KRAMAR_CLICKHOUSE_DSN is not a URL")
	}
	u.Path = "/" + db
	return u.String(), nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
