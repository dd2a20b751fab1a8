// Package clickhouse writes the warehouse: canonical rows as Arrow records,
// extractor state, the run log and rejects, over ClickHouse's native
// protocol (the HTTP protocol of clickhouse-go fails on ClickHouse 18.16).
package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kramar/kramar/schema"
	"github.com/kramar/kramar/schema/rows"
)

// Warehouse is a connection to one ClickHouse database.
type Warehouse struct {
	conn driver.Conn
	db   string
	// cluster names the ClickHouse cluster the database is laid out on
	// ("" = one server).
	cluster string
	// writer, when set, gathers inserts with other writers' (see Writer).
	writer *Writer
	// sink, when set, gathers inserts for a Unit's Commit.
	sink *Unit
	// reads gathers the reads of concurrent store runs.
	reads *sharedReads
}

// Open connects to the database named in dsn
// (clickhouse://user:password@host:9000/db?dial_timeout=5s). The database
// need not exist yet: Migrate creates it. Errors never contain the DSN's password.
//
// Several hosts (clickhouse://h1:9000,h2:9000/db) are tried in turn. With
// OnCluster the database is the cluster's (see schema.MigrateOn).
func Open(ctx context.Context, dsn string, options ...Option) (*Warehouse, error) {
	var o openOptions
	for _, opt := range options {
		opt(&o)
	}
	w, err := open(ctx, dsn, o)
	if err != nil {
		return nil, redact(err, dsn)
	}
	return w, nil
}

// Option tunes Open.
type Option func(*openOptions)

type openOptions struct{ cluster string }

// OnCluster lays the warehouse out on the named ClickHouse cluster ("" =
// one server): migrations run ON CLUSTER, and every insert through a
// Distributed table returns only once its shard has the rows.
func OnCluster(name string) Option { return func(o *openOptions) { o.cluster = name } }

func open(ctx context.Context, dsn string, o openOptions) (*Warehouse, error) {
	opts, err := ch.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: parse DSN %s: %w", RedactDSN(dsn), err)
	}
	if opts.Protocol != ch.Native {
		return nil, fmt.Errorf("clickhouse: DSN %s: only the native protocol (clickhouse://host:9000/db) is supported", RedactDSN(dsn))
	}
	db := opts.Auth.Database
	if db == "" {
		db = "default"
	}
	if !schema.ValidDatabase(db) {
		return nil, fmt.Errorf("clickhouse: database name %q must be a plain identifier", db)
	}
	// Connect without a database so a database Migrate has yet to create does
	// not fail the handshake; every statement names the database itself.
	opts.Auth.Database = ""
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 5 * time.Second
	}
	if o.cluster != "" {
		if !schema.ValidDatabase(o.cluster) {
			return nil, fmt.Errorf("clickhouse: cluster name %q must be a plain identifier", o.cluster)
		}
		if opts.Settings == nil {
			opts.Settings = ch.Settings{}
		}
		// An insert through a Distributed table is acknowledged only once
		// the shard has it, not when it is spooled on the receiving server
		// (https://clickhouse.com/docs/en/operations/settings/settings#insert_distributed_sync).
		opts.Settings["insert_distributed_sync"] = 1
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: open %s: %w", RedactDSN(dsn), err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse: connect to %s: %w", RedactDSN(dsn), err)
	}
	w := &Warehouse{conn: conn, db: db, cluster: o.cluster}
	w.reads = newSharedReads(w)
	return w, nil
}

// Migrate brings the database's schema up to date and returns the IDs of
// the migrations it applied (none when it was up to date).
func (w *Warehouse) Migrate(ctx context.Context) ([]string, error) {
	return schema.MigrateOn(ctx, w.conn, w.db, w.cluster)
}

// in is the IN of a subquery over a warehouse table: GLOBAL on a cluster,
// where a subquery over a Distributed table inside a query over one is
// otherwise refused (distributed_product_mode, which 18.16 cannot take as a
// client setting), so it runs once and its set goes to every shard.
func (w *Warehouse) in(not bool) string {
	op := " IN "
	if not {
		op = " NOT IN "
	}
	if w.cluster != "" {
		op = " GLOBAL" + op
	}
	return op
}

// Cluster is the cluster the warehouse is laid out on ("" = one server).
func (w *Warehouse) Cluster() string { return w.cluster }

// Close closes the connection pool.
func (w *Warehouse) Close() error { return w.conn.Close() }

// Conn is the underlying connection, for tests that check tables directly;
// the rest of kramar reads and writes through the methods of this package.
func (w *Warehouse) Conn() driver.Conn { return w.conn }

// DropDatabase drops the warehouse's database with all its tables (a
// benchmark's or a test's; Migrate makes it again).
func (w *Warehouse) DropDatabase(ctx context.Context) error {
	q := "DROP DATABASE IF EXISTS " + w.db
	if w.cluster != "" {
		q += " ON CLUSTER " + w.cluster
	}
	return wrapErr(w.conn.Exec(ctx, q), "drop database %s", w.db)
}

// Database is the database the warehouse writes to.
func (w *Warehouse) Database() string { return w.db }

// table is the qualified name of one of the warehouse's tables.
func (w *Warehouse) table(name string) string { return quoteIdent(w.db) + "." + quoteIdent(name) }

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "\\`") + "`" }

// RedactDSN returns dsn with its password replaced by "xxxxx".
func RedactDSN(dsn string) string {
	out := dsn
	for _, p := range dsnPasswords(dsn) {
		out = strings.ReplaceAll(out, p, "xxxxx")
	}
	return out
}

// dsnPasswords finds the password of a DSN without relying on it parsing:
// a DSN that does not parse is exactly when an error is about to quote it.
// It returns the raw form and, if different, the unescaped one.
func dsnPasswords(dsn string) []string {
	rest := dsn
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return nil
	}
	_, pw, ok := strings.Cut(rest[:at], ":")
	if !ok || pw == "" {
		return nil
	}
	out := []string{pw}
	if u, err := url.PathUnescape(pw); err == nil && u != pw && u != "" {
		out = append(out, u)
	}
	return out
}

// redactedError hides a DSN password in the message. It answers errors.Is
// (context.DeadlineExceeded, …) but does not unwrap: the wrapped errors still
// quote the password.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

func redact(err error, dsn string) error {
	msg := err.Error()
	for _, p := range dsnPasswords(dsn) {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// each runs q and calls scan for every row.
func (w *Warehouse) each(ctx context.Context, q string, scan func(driver.Rows) error, args ...any) error {
	rs, err := w.conn.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}

func wrapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("clickhouse: "+format+": %w", append(args, err)...)
}

// collect runs q and gathers one T from every row.
func collect[T any](ctx context.Context, w *Warehouse, q string, scan func(rs driver.Rows, t *T) error, args ...any) ([]T, error) {
	var out []T
	err := w.each(ctx, q, func(rs driver.Rows) error {
		var t T
		if err := scan(rs, &t); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	}, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addIDs runs q, which selects one String column, and adds every value to set.
func (w *Warehouse) addIDs(ctx context.Context, set map[string]bool, q string, args ...any) error {
	return w.each(ctx, q, func(rs driver.Rows) error {
		var id string
		if err := rs.Scan(&id); err != nil {
			return err
		}
		set[id] = true
		return nil
	}, args...)
}

// insertAll writes items to spec's table in one insert; what names the
// write in its error.
func insertAll[T any](ctx context.Context, w *Warehouse, spec *rows.Spec[T], items []T, what string) error {
	if len(items) == 0 {
		return nil
	}
	rec, err := spec.Build(items)
	if err != nil {
		return wrapErr(err, "%s", what)
	}
	defer rec.Release()
	return wrapErr(w.Insert(ctx, spec.Name(), rec), "%s", what)
}
