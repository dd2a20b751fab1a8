// Package schema owns the warehouse schema: ClickHouse migrations embedded
// from migrations/*.sql and the runner that applies them.
package schema

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kramar/kramar/extractors/retry"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version uint32
	Name    string // file name without the number and extension, e.g. "init"
	// Statements are the SQL statements with {db} still in place.
	Statements []string
}

// ID names the migration the way Migrate reports it: "001_init".
func (m Migration) ID() string { return fmt.Sprintf("%03d_%s", m.Version, m.Name) }

var (
	migrationName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.sql$`)
	identifier    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// ValidDatabase reports whether name can be used as a database name unquoted.
// Database names end up inside SQL text, so only plain identifiers are allowed.
func ValidDatabase(name string) bool { return identifier.MatchString(name) }

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[uint32]string{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("schema: migration file %q is not named NNN_name.sql", e.Name())
		}
		v, err := strconv.ParseUint(m[1], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("schema: migration %q: %w", e.Name(), err)
		}
		if prev, dup := seen[uint32(v)]; dup {
			return nil, fmt.Errorf("schema: migrations %q and %q share version %d", prev, e.Name(), v)
		}
		seen[uint32(v)] = e.Name()
		body, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: uint32(v), Name: m[2], Statements: SplitStatements(string(body))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// SplitStatements splits a migration file into statements. A statement ends
// with a line whose last character is ';'. "--" comments are dropped (the
// migrations keep no "--" inside string literals).
func SplitStatements(sql string) []string {
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(sql, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimRight(line, " \t\r")
		if strings.HasSuffix(line, ";") {
			cur.WriteString(strings.TrimSuffix(line, ";"))
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return out
}

// Migrate creates database if it is missing, then applies the embedded
// migrations it has not recorded yet in database.schema_migrations, in order.
// It returns the IDs ("001_init") of the migrations it applied; running it
// again applies nothing. Statements use IF NOT EXISTS, so a migration that
// failed half-way can simply be run again.
func Migrate(ctx context.Context, conn driver.Conn, database string) (applied []string, err error) {
	return MigrateOn(ctx, conn, database, "")
}

// MigrateOn is Migrate on the ClickHouse cluster named cluster (as in the
// servers' <remote_servers>; "" = a single server): every statement runs ON
// CLUSTER, tables are Replicated with a Distributed table over them (see
// cluster.go), and the log of applied migrations is one for the cluster.
// Every step is idempotent, so two processes migrating at the same moment,
// from any server, end with one set of tables; each may record a migration,
// and the log's ReplacingMergeTree keeps one row per version.
func MigrateOn(ctx context.Context, conn driver.Conn, database, cluster string) (applied []string, err error) {
	if !ValidDatabase(database) {
		return nil, fmt.Errorf("schema: database name %q must be a plain identifier", database)
	}
	if cluster != "" && !ValidDatabase(cluster) {
		return nil, fmt.Errorf("schema: cluster name %q must be a plain identifier", cluster)
	}
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	bootstrap := []string{
		"CREATE DATABASE IF NOT EXISTS " + database,
		// The migration log; a plain log, written once per applied migration.
		"CREATE TABLE IF NOT EXISTS " + database + ".schema_migrations " +
			"(version UInt32, name String, applied_at DateTime('UTC')) " +
			"ENGINE = MergeTree ORDER BY version",
	}
	var layout clusterLayout
	if cluster != "" {
		layout = newClusterLayout(cluster, migrations)
		bootstrap = []string{
			"CREATE DATABASE IF NOT EXISTS " + database + " ON CLUSTER " + cluster,
			"CREATE TABLE IF NOT EXISTS " + database + ".schema_migrations" + LocalSuffix + " ON CLUSTER " + cluster +
				" (version UInt32, name String, applied_at DateTime('UTC')) " +
				"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/" + database + "/schema_migrations', '{replica}', applied_at) ORDER BY version",
			"CREATE TABLE IF NOT EXISTS " + database + ".schema_migrations ON CLUSTER " + cluster + " AS " + database + ".schema_migrations" + LocalSuffix +
				" ENGINE = Distributed(" + cluster + ", " + database + ", schema_migrations" + LocalSuffix + ", 0)",
		}
	}
	for _, stmt := range bootstrap {
		if err := conn.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("schema: %s: %w", firstLine(stmt), err)
		}
	}
	done, err := appliedVersions(ctx, conn, database)
	if err != nil {
		return nil, err
	}
	for _, m := range migrations {
		if done[m.Version] {
			continue
		}
		for _, stmt := range m.Statements {
			steps := []clusterStep{{sql: stmt}}
			if cluster != "" {
				if steps, err = layout.steps(stmt); err != nil {
					return applied, fmt.Errorf("schema: migration %s: %w", m.ID(), err)
				}
			}
			for _, st := range steps {
				if err := runStepOn(ctx, conn, database, cluster, st); err != nil {
					return applied, fmt.Errorf("schema: migration %s: %s: %w", m.ID(), firstLine(st.sql), err)
				}
			}
		}
		// INSERT … SELECT, not VALUES: over the native protocol 18.16 waits
		// for a data block after an INSERT … VALUES sent through Exec.
		if err := conn.Exec(ctx,
			"INSERT INTO "+database+".schema_migrations (version, name, applied_at) SELECT toUInt32(?), ?, toDateTime(?, 'UTC')",
			m.Version, m.Name, time.Now().Unix()); err != nil {
			return applied, fmt.Errorf("schema: record migration %s: %w", m.ID(), err)
		}
		applied = append(applied, m.ID())
	}
	return applied, nil
}

// concurrentDDL is how long a cluster step waits for another migrator: two
// workers starting together both migrate, and while one is between dropping
// and making again a Distributed table (an added column, see clusterLayout)
// the other's statement over that table finds no table (UNKNOWN_TABLE, 60).
// Every step is safe to repeat, so the step is tried again once the table is
// back; the distributed DDL queue runs each ON CLUSTER statement on every
// server in one order, so the two converge on one schema.
var concurrentDDL = retry.Policy{Attempts: 12, Wait: 100 * time.Millisecond, MaxWait: 2 * time.Second}.Jittered()

const unknownTable = 60

// runStepOn runs one step, on a cluster riding out another migrator's
// re-creation of a table.
func runStepOn(ctx context.Context, conn driver.Conn, database, cluster string, st clusterStep) error {
	if cluster == "" {
		return runStep(ctx, conn, database, st)
	}
	_, err := concurrentDDL.Do(ctx, func(int) error {
		err := runStep(ctx, conn, database, st)
		var exc *clickhouse.Exception
		if err != nil && !(errors.As(err, &exc) && exc.Code == unknownTable) {
			return retry.Permanent(err)
		}
		return err
	})
	return err
}

// runStep runs one statement; a step that adds a column is skipped when
// the column is there already, and a failure is forgiven when the column
// turns out to be there (another process added it meanwhile).
func runStep(ctx context.Context, conn driver.Conn, database string, st clusterStep) error {
	sql := strings.ReplaceAll(st.sql, "{db}", database)
	if st.column == "" {
		return conn.Exec(ctx, sql)
	}
	if ok, err := columnExists(ctx, conn, database, st.table, st.column); err != nil || ok {
		return err
	}
	err := conn.Exec(ctx, sql)
	if err != nil {
		if ok, _ := columnExists(ctx, conn, database, st.table, st.column); ok {
			return nil
		}
	}
	return err
}

func columnExists(ctx context.Context, conn driver.Conn, database, table, column string) (bool, error) {
	var n uint64
	err := conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = ? AND name = ?",
		database, table, column).Scan(&n)
	return n > 0, err
}

func appliedVersions(ctx context.Context, conn driver.Conn, database string) (map[uint32]bool, error) {
	rows, err := conn.Query(ctx, "SELECT DISTINCT version FROM "+database+".schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("schema: read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[uint32]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("schema: read schema_migrations: %w", err)
		}
		done[v] = true
	}
	return done, rows.Err()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i]) + " …"
	}
	return s
}
