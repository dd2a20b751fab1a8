package schema

import (
	"fmt"
	"regexp"
	"strings"
)

// On a ClickHouse cluster every table of the migrations becomes two: NAME_local,
// a Replicated* table on every server (ZooKeeper path per shard, replica from
// the {shard} and {replica} macros), and NAME, a Distributed table over them.
// Readers and writers keep using NAME, so views and kramar's queries stay as
// they are. Rows are sharded by (marketplace, store): every version of a key
// lands on the same shard, which ReplacingMergeTree needs, since it only
// deduplicates within a shard
// (https://clickhouse.com/docs/en/engines/table-engines/mergetree-family/replacingmergetree).

// LocalSuffix names the replicated table under a Distributed one.
const LocalSuffix = "_local"

var (
	createTable = regexp.MustCompile(`(?s)^CREATE TABLE IF NOT EXISTS \{db\}\.(\w+)\s*\((.*)\)\s*ENGINE\s*=\s*(\w+)(?:\(([^)]*)\))?(.*)$`)
	createView  = regexp.MustCompile(`(?s)^CREATE VIEW IF NOT EXISTS \{db\}\.(\w+)(.*)$`)
	dropTable   = regexp.MustCompile(`(?s)^DROP TABLE IF EXISTS \{db\}\.(\w+)\s*$`)
	addColumn   = regexp.MustCompile(`(?s)^ALTER TABLE \{db\}\.(\w+)\s+ADD COLUMN\s+(\w+)\s+(.*)$`)
	inSubquery  = regexp.MustCompile(`\bIN\s*\(\s*SELECT\b`)
)

// hasColumn says whether a CREATE TABLE's column list declares name.
func hasColumn(cols, name string) bool {
	return regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s+\w`).MatchString(cols)
}

// clusterStep is one statement to run on the cluster; column, when set,
// names a column of table whose presence means the step is done already
// (ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS).
type clusterStep struct {
	sql           string
	table, column string
}

// clusterLayout rewrites the migrations for one cluster.
type clusterLayout struct {
	cluster string
	keys    map[string]string // table → sharding key, from its CREATE TABLE
}

func newClusterLayout(cluster string, migrations []Migration) clusterLayout {
	l := clusterLayout{cluster: cluster, keys: map[string]string{}}
	for _, m := range migrations {
		for _, stmt := range m.Statements {
			if t := createTable.FindStringSubmatch(stmt); t != nil {
				l.keys[t[1]] = shardingKey(t[2])
			}
		}
	}
	return l
}

// steps turns one migration statement for a single server into the steps
// that make the same schema on the cluster.
func (l clusterLayout) steps(stmt string) ([]clusterStep, error) {
	on := " ON CLUSTER " + l.cluster
	if m := createTable.FindStringSubmatch(stmt); m != nil {
		name, cols, engine, args, rest := m[1], m[2], m[3], strings.TrimSpace(m[4]), m[5]
		replicated := fmt.Sprintf("Replicated%s('/clickhouse/tables/{shard}/{db}/%s', '{replica}'", engine, name)
		if args != "" {
			replicated += ", " + args
		}
		local := fmt.Sprintf("CREATE TABLE IF NOT EXISTS {db}.%s%s%s\n(%s)\nENGINE = %s)%s", name, LocalSuffix, on, cols, replicated, rest)
		return []clusterStep{{sql: local}, {sql: l.distributed(name)}}, nil
	}
	if m := createView.FindStringSubmatch(stmt); m != nil {
		// A subquery over a Distributed table inside a query over one must
		// be GLOBAL, or ClickHouse refuses it (distributed_product_mode).
		body := inSubquery.ReplaceAllString(m[2], "GLOBAL IN (SELECT")
		return []clusterStep{{sql: "CREATE VIEW IF NOT EXISTS {db}." + m[1] + on + body}}, nil
	}
	if m := dropTable.FindStringSubmatch(stmt); m != nil {
		return []clusterStep{{sql: "DROP TABLE IF EXISTS {db}." + m[1] + on}}, nil
	}
	if m := addColumn.FindStringSubmatch(stmt); m != nil {
		name, column := m[1], m[2]
		// The replicated table is altered once per shard and replication
		// carries it to the other replicas; a Distributed table cannot be
		// altered ON CLUSTER when shards are replicated (18.16: "Table isn't
		// replicated, but shard is replicated"), and it holds no data, so it
		// is made again over the altered table.
		return []clusterStep{
			{sql: fmt.Sprintf("ALTER TABLE {db}.%s%s%s ADD COLUMN %s %s", name, LocalSuffix, on, column, m[3]), table: name + LocalSuffix, column: column},
			// Only while the Distributed table lacks the column: a second
			// migrator then leaves alone the table the first made again.
			{sql: fmt.Sprintf("DROP TABLE IF EXISTS {db}.%s%s", name, on), table: name, column: column},
			{sql: l.distributed(name)},
		}, nil
	}
	return nil, fmt.Errorf("schema: no cluster form for the statement %s", firstLine(stmt))
}

// distributed makes the Distributed table name over its local table.
func (l clusterLayout) distributed(name string) string {
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS {db}.%s ON CLUSTER %s AS {db}.%s%s ENGINE = Distributed(%s, {db}, %s%s, %s)",
		name, l.cluster, name, LocalSuffix, l.cluster, name, LocalSuffix, l.keys[name])
}

// shardingKey keeps a store's rows on one shard; a table without stores
// stays on the first shard.
func shardingKey(cols string) string {
	switch {
	case hasColumn(cols, "marketplace") && hasColumn(cols, "store"):
		return "cityHash64(marketplace, store)"
	case hasColumn(cols, "store"):
		return "cityHash64(store)"
	}
	return "0"
}
