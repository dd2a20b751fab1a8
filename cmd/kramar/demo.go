package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/reports"
	declsb "github.com/kramar/kramar/sandbox/declarative"
	"github.com/kramar/kramar/sandbox/kit"
	hstransform "github.com/kramar/kramar/transforms/horoshop"
)

func demoCmd() *cobra.Command {
	var database, example string
	var workers int
	var keep bool
	cmd := command("demo",
		"Run the jobs end to end: Prom, Rozetka and Zakupka sandboxes → pipeline → ClickHouse",
		help("demo"),
		func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			dsn, err := withDatabase(os.Getenv("KRAMAR_CLICKHOUSE_DSN"), database)
			if err != nil {
				return &exitError{2, err}
			}
			// Load wants every secret there; each sandbox sets its own.
			for _, env := range demoSecrets {
				os.Setenv(env, randomToken())
			}
			cfg, err := config.Load(example)
			if err != nil {
				return &exitError{2, err}
			}
			for i := range cfg.Stores {
				cfg.Stores[i].RatePerSecond = 0 // the sandboxes are local
			}
			served, stop, err := demoStores(out, cfg, "specs")
			if err != nil {
				return err
			}
			defer stop()
			if !cmd.Flags().Changed("serve") {
				keep = isTerminal(out)
			}
			return withDSN(cmd, dsn, os.Getenv(config.EnvClickHouseCluster), func(ctx context.Context, wh *clickhouse.Warehouse) error {
				if err := runDemo(ctx, out, cfg, wh, served, dsn, workers); err != nil {
					return err
				}
				if !keep {
					fmt.Fprint(out, "\nThe console (`kramar serve`'s pages) comes with `kramar demo --serve`, as `make demo` does on a terminal.\n")
					if os.Getenv(envThrowaway) != "" {
						fmt.Fprintf(out, "This ClickHouse stops with the demo. For one that stays: `make clickhouse` in another\n"+
							"terminal, then the demo with the %s it prints.\n", config.EnvClickHouseDSN)
					}
					return nil
				}
				return demoConsole(cmd, out, cfg, wh)
			})
		})
	cmd.Flags().BoolVar(&keep, "serve", false, "then serve the console and run the schedule on the sandboxes until Ctrl-C (default: on a terminal)")
	cmd.Flags().StringVar(&database, "database", "kramar", "ClickHouse database for the demo")
	cmd.Flags().StringVar(&example, "example-config", "kramar.example.yaml", "config whose stores the demo serves")
	cmd.Flags().IntVar(&workers, "workers", 0, "load the orders with this many `serve` workers sharing the stores through $"+zookeeperEnv+" (make cluster-demo)")
	return cmd
}

// envThrowaway is set by chlocal for the command it runs: the ClickHouse of
// $KRAMAR_CLICKHOUSE_DSN stops when that command ends (make demo).
const envThrowaway = "KRAMAR_CLICKHOUSE_THROWAWAY"

// demoConsole serves the console on the demo's warehouse, with a demo
// login of each role, and runs the schedule on the sandboxes (which keep
// serving) until Ctrl-C. The ClickHouse `make demo` started stays up with it,
// so the commands printed above work from another terminal.
func demoConsole(cmd *cobra.Command, out io.Writer, cfg *config.Config, wh *clickhouse.Warehouse) error {
	password := randomToken()[:16]
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	cfg.Web = config.Web{SessionTTL: config.Duration{Duration: config.DefaultSessionTTL}, Users: []config.WebUser{
		{Name: "demo", PasswordHash: string(hash), Role: config.RoleOps},
		{Name: "buh", PasswordHash: string(hash), Role: config.RoleAccountant},
	}}
	defer interruptible(cmd)()
	serving := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(cmd.Context(), serveOptions{Config: cfg, WH: wh, Listen: demoListen(), Serving: serving,
			Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	}()
	select {
	case addr := <-serving:
		fmt.Fprintf(out, "\nConsole: http://%s — log in as demo (ops) or buh (accountant), password %s\n"+
			"The schedule runs on the sandboxes meanwhile. Ctrl-C stops the console, the sandboxes and ClickHouse.\n", addr, password)
	case err := <-done:
		return err
	}
	return <-done
}

// demoListen is serve's usual address when it is free, else any port.
func demoListen() string {
	if ln, err := net.Listen("tcp", "127.0.0.1:9108"); err == nil {
		ln.Close()
		return "127.0.0.1:9108"
	}
	return "127.0.0.1:0"
}

// runDemo runs the jobs on the served stores and shows what they loaded.
func runDemo(ctx context.Context, out io.Writer, cfg *config.Config, wh *clickhouse.Warehouse, served map[string]servedStore, dsn string, workers int) error {
	fmt.Fprintf(out, "ClickHouse database %s migrated\n\n", wh.Database())
	runner := &pipeline.Runner{Warehouse: wh, Config: cfg}
	var all []pipeline.StoreResult
	ordersTitle := "Orders"
	if workers > 0 {
		if err := demoWorkers(ctx, out, cfg, wh, workers, demoZooKeeper()); err != nil {
			return err
		}
		ordersTitle = "Orders, read again in this process (nothing new)"
	}
	for _, job := range []struct {
		name, title string
		stores      []string // every store when none
	}{
		{pipeline.JobOrders, ordersTitle, nil},
		{pipeline.JobReference, "Reference lists of the accounts (delivery services, payment methods, statuses)",
			[]string{"prom-main", "prom-outlet", "rozetka-main", "horoshop-main"}},
		{pipeline.JobCatalog, "Catalogs (Rozetka and Horoshop from their APIs, Zakupka from its YML feed)",
			[]string{"rozetka-main", "zakupka-main", "horoshop-main"}},
	} {
		results, err := runner.RunJob(ctx, job.name, job.stores...)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s:\n", job.title)
		printSummary(out, results)
		fmt.Fprintln(out)
		all = append(all, results...)
	}
	pushed, err := demoPush(ctx, out, runner, wh, cfg, served[demoPushStore])
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
}

// demoPushStore is the example config's store whose rules the demo pushes.
const demoPushStore = "prom-main"

// demoPush shows the way back on demoPushStore: a manager's changes to two
// orders, stock for twenty products of its catalog, and the store's rules
// (example config), pushed to its sandbox.
func demoPush(ctx context.Context, out io.Writer, runner *pipeline.Runner, wh *clickhouse.Warehouse, cfg *config.Config,
	served servedStore) ([]pipeline.StoreResult, error) {
	const store = demoPushStore
	catalog, ok := served.sandbox.(interface {
		ExternalIDs(credential string) []string
	})
	st, found := cfg.Store(store)
	if !ok || !found {
		return nil, fmt.Errorf("demo: %s has no catalog to push stock to", store)
	}
	received, err := wh.OrdersInStatus(ctx, st.Marketplace, store, "received", time.Now())
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
	for i, id := range catalog.ExternalIDs(served.credential)[:20] {
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

// demoReports writes the month's expenses and orders workbooks into
// $TMPDIR/kramar-demo-reports (the same folder every run, outside the source
// tree) and says where they are.
func demoReports(ctx context.Context, out io.Writer, wh *clickhouse.Warehouse, month time.Time) error {
	dir := filepath.Join(os.TempDir(), "kramar-demo-reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	month = reports.MonthOf(month)
	sum, err := pipeline.GenerateExpenses(ctx, wh, month, nil, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Expense rows for %s from the Prom commissions (`kramar expenses generate`): %d charges, %d reversals\n",
		month.Format("2006-01"), sum.Charges, sum.Reversals)
	fmt.Fprintf(out, "Excel reports for %s (`kramar report NAME --month %s`):\n", month.Format("2006-01"), month.Format("2006-01"))
	for _, name := range []string{"expenses", "orders"} {
		report, _ := reports.Lookup(name)
		path := filepath.Join(dir, reports.FileName(name, month))
		size, err := writeReport(ctx, report, wh, reports.Params{Month: month}, path)
		if err != nil {
			return fmt.Errorf("%s report: %w", name, err)
		}
		fmt.Fprintf(out, "  %-9s %s (%d KB)\n", name, path, size/1024)
	}
	fmt.Fprintln(out)
	return nil
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
	host, port, db := u.Hostname(), u.Port(), wh.Database()
	client := fmt.Sprintf("clickhouse-client --host %s --port %s --database %s --query", host, port, db)
	month := time.Now().UTC().Format("2006-01")
	fmt.Fprintf(out, "\nTry it: the warehouse is database %s at %s:%s.\n"+
		"  %s \"%s\"\n"+
		"  %s \"SELECT store, job, status, fetched, new, rejected, held FROM pipeline_runs ORDER BY started_at DESC LIMIT 5\"\n"+
		"  %s \"SELECT store, record_id, field, reason FROM rejects\"\n"+
		"  export %s=%s\n"+
		"  go run ./cmd/kramar status\n"+
		"  go run ./cmd/kramar export v_orders --out orders.parquet\n"+
		"  go run ./cmd/kramar mappings suggest\n"+
		"  go run ./cmd/kramar report expenses --month %s --out expenses.xlsx\n",
		db, host, port,
		client, strings.ReplaceAll(strings.ReplaceAll(wh.OrdersByStatusSQL(), "\n", " "), `"`, `\"`),
		client, client, config.EnvClickHouseDSN, clickhouse.RedactDSN(dsn), month)
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

// demoSeed seeds every demo sandbox, so each demo serves the same data.
const demoSeed = 2026

// demoSize is what one demo store holds.
type demoSize struct {
	orders, offers int
	// malformed adds one broken record, to show how a reject looks.
	malformed bool
}

// demoSizes are the demo's stores, the example config's and demoExtra; a
// store of a spec holds specOrders.
var demoSizes = map[string]demoSize{
	"prom-main":     {orders: 400},
	"prom-outlet":   {orders: 250, malformed: true},
	"rozetka-main":  {orders: 300, offers: 5000},
	"zakupka-main":  {orders: 120, offers: 3000},
	"horoshop-main": {orders: 150, offers: 1000},
	"epicentr-main": {orders: 200},
}

const specOrders = 80

// demoSecrets are the variables the example config's stores take their
// secrets from.
var demoSecrets = []string{"PROM_MAIN_TOKEN", "PROM_OUTLET_TOKEN", "ROZETKA_MAIN_PASSWORD"}

// demoExtra are the stores the demo serves beside the example config's.
var demoExtra = []config.Store{
	{ID: "horoshop-main", Marketplace: "horoshop", Username: "api-user", PasswordEnv: "HOROSHOP_DEMO_PASSWORD", Options: &hstransform.Options{SplitNames: true}},
	{ID: "epicentr-main", Marketplace: "epicentr", TokenEnv: "EPICENTR_DEMO_TOKEN"},
}

// demoStores adds demoExtra and a store per spec in specDir to the example
// config's stores, with the first store's tunables, serves each on a sandbox and
// points it there. Marketplaces are found in the registries: a registered
// simulator (one sandbox per marketplace), else the sandbox a spec
// describes. The sandboxes are returned by store id with the function that
// stops them.
func demoStores(out io.Writer, cfg *config.Config, specDir string) (map[string]servedStore, func(), error) {
	like := cfg.Stores[0].StoreDefaults
	for _, st := range demoExtra {
		st.OrderType, st.OrderSource, st.StoreDefaults = "Роздріб", st.Marketplace, like
		cfg.Stores = append(cfg.Stores, st)
	}
	specs, err := filepath.Glob(filepath.Join(specDir, "*.yaml"))
	if err != nil {
		return nil, nil, err
	}
	for _, path := range specs {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		cfg.Stores = append(cfg.Stores, config.Store{ID: name + "-main", Marketplace: name, Spec: path,
			OrderType: "Роздріб", OrderSource: name, StoreDefaults: like})
	}
	d := &demoServer{out: out, served: map[string]servedStore{}}
	var marketplaces []string
	byMarketplace := map[string][]*config.Store{}
	for i := range cfg.Stores {
		st := &cfg.Stores[i]
		if byMarketplace[st.Marketplace] == nil {
			marketplaces = append(marketplaces, st.Marketplace)
		}
		byMarketplace[st.Marketplace] = append(byMarketplace[st.Marketplace], st)
	}
	for _, m := range marketplaces {
		if err := d.serve(m, byMarketplace[m]); err != nil {
			d.close()
			return nil, nil, err
		}
	}
	return d.served, d.close, nil
}

// servedStore is the sandbox of one demo store and what it knows the store by.
type servedStore struct {
	sandbox    kit.Served
	credential string
}

// demoServer serves the demo's sandboxes.
type demoServer struct {
	out    io.Writer
	served map[string]servedStore
	stops  []func()
	specs  int // spec sandboxes served so far
}

func (d *demoServer) close() {
	for _, stop := range d.stops {
		stop()
	}
	d.stops = nil // closed once, however often asked
}

// serve starts the sandbox of one marketplace's stores.
func (d *demoServer) serve(marketplace string, stores []*config.Store) error {
	if sim, ok := kit.SimulatorFor(marketplace); ok {
		return d.simulate(sim, stores)
	}
	for _, st := range stores {
		if st.Spec == "" {
			return fmt.Errorf("demo: no sandbox serves marketplace %s (store %s)", marketplace, st.ID)
		}
		if err := d.fromSpec(st); err != nil {
			return err
		}
	}
	return nil
}

// start serves sb and remembers to stop it.
func (d *demoServer) start(sb kit.Served) (string, error) {
	srv, base, err := kit.Serve("127.0.0.1:0", sb.Handler())
	if err != nil {
		return "", err
	}
	d.stops = append(d.stops, func() { srv.Close() })
	return base, nil
}

// simulate serves stores on one registered simulator, each known by a
// credential made from its config.
func (d *demoServer) simulate(sim kit.Simulator, stores []*config.Store) error {
	offers := 0
	for _, st := range stores {
		offers = max(offers, demoSizes[st.ID].offers)
	}
	sb, add := sim.New(kit.SimOptions{Seed: demoSeed, Goods: offers})
	var held []string
	for _, st := range stores {
		size, secret := demoSizes[st.ID], randomToken()
		if st.TokenEnv == "" && st.Username == "" { // a key in the address, in a real config
			st.TokenEnv = strings.ToUpper(strings.ReplaceAll(st.ID, "-", "_")) + "_DEMO_KEY"
		}
		credential, env := secret, st.TokenEnv
		if st.Username != "" {
			credential, env = st.Username+":"+secret, st.PasswordEnv
		}
		os.Setenv(env, secret)
		if err := add(credential, size.orders); err != nil {
			return err
		}
		d.served[st.ID] = servedStore{sb, credential}
		what := fmt.Sprintf("%s: %d orders", st.ID, size.orders)
		if size.offers > 0 {
			what += fmt.Sprintf(", %d offers", size.offers)
		}
		if size.malformed && addMalformed(sb, credential) {
			what += " + 1 malformed"
		}
		held = append(held, what)
	}
	base, err := d.start(sb)
	if err != nil {
		return err
	}
	for _, st := range stores {
		st.BaseURL = base + sim.APIPath
		if sim.FeedPath != "" {
			st.FeedURL = base + sim.FeedPath + "?key=" + d.served[st.ID].credential
		}
	}
	fmt.Fprintf(d.out, "%s sandbox on %s (%s)\n", sim.Marketplace, base, strings.Join(held, "; "))
	return nil
}

// addMalformed adds a broken record to the store of a simulator that can
// make one from the store's credential. It is made a minute ago, so that it
// is older than the pipeline's safety lag.
func addMalformed(sb kit.Served, credential string) bool {
	m, ok := sb.(interface {
		Clock() *kit.Clock
		AddMalformed(credential string) int64
	})
	if ok {
		m.Clock().Advance(-time.Minute)
		m.AddMalformed(credential)
		m.Clock().Advance(time.Minute)
	}
	return ok
}

// fromSpec serves the sandbox a store's spec describes, each spec on data
// of its own.
func (d *demoServer) fromSpec(st *config.Store) error {
	sp, err := spec.Load(st.Spec)
	if err != nil {
		return err
	}
	secret := randomToken()
	env := strings.ToUpper(st.Marketplace) + "_DEMO_SECRET"
	os.Setenv(env, secret)
	sb := declsb.New(sp, declsb.Options{Options: kit.Options{Seed: demoSeed + int64(d.specs)}, Orders: specOrders, Token: secret, Username: "demo", Password: secret})
	d.specs++
	base, err := d.start(sb)
	if err != nil {
		return err
	}
	d.served[st.ID] = servedStore{sb, secret}
	st.BaseURL = base
	switch sp.Auth.Type {
	case spec.AuthBasic, spec.AuthLogin:
		st.Username, st.PasswordEnv = "demo", env
	case spec.AuthNone:
	default:
		st.TokenEnv = env
	}
	fmt.Fprintf(d.out, "%s sandbox on %s (generated from %s; store %s: %d orders)\n", sp.Name, base, st.Spec, st.ID, specOrders)
	return nil
}

// zookeeperEnv is where chlocal --cluster puts its ZooKeeper's address.
const zookeeperEnv = "KRAMAR_ZOOKEEPER"

// demoWorkers loads the orders of every store with n `kramar serve`
// workers sharing the stores through the ZooKeeper at zk (each its own
// scheduler, coordination session and writer, in this process), until
// every store has an ok run, then stops them and shows who ran what.
func demoWorkers(ctx context.Context, out io.Writer, cfg *config.Config, wh *clickhouse.Warehouse, n int, zk string) error {
	if zk == "" {
		return &exitError{2, fmt.Errorf("--workers needs a ZooKeeper: set %s (chlocal --cluster does)", zookeeperEnv)}
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		worker := *cfg
		worker.Coordination = config.Coordination{ZooKeeper: strings.Split(zk, ","), Root: "/kramar-demo",
			SessionTimeout: config.Duration{Duration: 4 * time.Second}, Worker: fmt.Sprintf("demo-worker-%d", i+1)}
		worker.Schedule = config.DefaultSchedule
		worker.Schedule.OrdersEvery, worker.Schedule.PushEvery = config.Duration{Duration: 2 * time.Second}, config.Duration{}
		worker.Schedule.CatalogAt, worker.Schedule.ExpensesAt = config.ScheduleOff, config.ScheduleOff
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = serve(ctx, serveOptions{Config: &worker, WH: wh, Listen: "127.0.0.1:0",
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		}()
	}
	fmt.Fprintf(out, "Orders, by %d workers sharing the %d stores through ZooKeeper %s:\n", n, len(cfg.Stores), zk)
	var byWorker []clickhouse.WorkerRuns
	var ok uint64
	var err error
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		if byWorker, ok, err = wh.RunsByWorker(ctx, pipeline.JobOrders); err != nil || int(ok) == len(cfg.Stores) {
			break
		}
		if time.Now().After(deadline) {
			err = fmt.Errorf("demo: after 2 minutes %d of %d stores have loaded their orders", ok, len(cfg.Stores))
			break
		}
	}
	stop()
	wg.Wait()
	for i, werr := range errs {
		if werr != nil && err == nil {
			err = fmt.Errorf("demo: worker %d: %w", i+1, werr)
		}
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  worker\tstores\truns\tok")
	for _, r := range byWorker {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", r.Worker, r.Stores, r.Runs, r.OK)
	}
	tw.Flush()
	fmt.Fprintf(out, "every store loaded (%d); each ran on one worker at a time, under its lease\n\n", ok)
	return nil
}

// demoZooKeeper is the ZooKeeper chlocal --cluster started, if any.
func demoZooKeeper() string { return os.Getenv(zookeeperEnv) }
