package chlocal

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
)

// ClusterName is the name StartCluster gives its cluster in
// <remote_servers>: what kramar's clickhouse.cluster names.
const ClusterName = "kramar"

// Cluster is a ZooKeeper and Shards × Replicas ClickHouse servers on
// loopback ports, set up as ClickHouse's replication documentation
// describes (https://clickhouse.com/docs/en/engines/table-engines/mergetree-family/replication):
// each server knows the ZooKeeper, the distributed DDL queue, the cluster
// in <remote_servers> (internal_replication: a Distributed table writes one
// replica per shard and replication copies it) and its own {shard} and
// {replica} macros.
type Cluster struct {
	ZooKeeper *ZooKeeper
	// Servers[shard][replica].
	Servers [][]*Server
	opts    Options
	ports   [][]*serverPorts
	xml     [][]string
	dirs    [][]string
}

// StartCluster starts a ZooKeeper and shards × replicas servers, each in a
// folder below opts.Dir (or a temporary one), and waits for all of them.
func StartCluster(ctx context.Context, opts Options, shards, replicas int) (*Cluster, error) {
	if shards < 1 || replicas < 1 {
		return nil, fmt.Errorf("chlocal: a cluster needs at least one shard and one replica, not %d × %d", shards, replicas)
	}
	c := &Cluster{opts: opts}
	zkOpts := opts
	if opts.Dir != "" {
		zkOpts.Dir = filepath.Join(opts.Dir, "zookeeper")
	}
	zk, err := StartZooKeeper(ctx, zkOpts, 0)
	if err != nil {
		return nil, err
	}
	c.ZooKeeper = zk
	c.ports = make([][]*serverPorts, shards)
	for s := range c.ports {
		c.ports[s] = make([]*serverPorts, replicas)
		for r := range c.ports[s] {
			if c.ports[s][r], err = newServerPorts(); err != nil {
				return nil, errors.Join(err, c.Stop())
			}
		}
	}
	remote := c.remoteServers()
	c.Servers = make([][]*Server, shards)
	c.xml = make([][]string, shards)
	c.dirs = make([][]string, shards)
	for s := range c.ports {
		c.Servers[s] = make([]*Server, replicas)
		c.xml[s] = make([]string, replicas)
		c.dirs[s] = make([]string, replicas)
		for r := range c.ports[s] {
			c.xml[s][r] = fmt.Sprintf(clusterXML, c.ports[s][r].interserver, zk.port, remote, s+1, r+1)
			if opts.Dir != "" {
				c.dirs[s][r] = filepath.Join(opts.Dir, fmt.Sprintf("s%d-r%d", s+1, r+1))
			}
			if c.Servers[s][r], err = c.start(ctx, s, r); err != nil {
				return nil, errors.Join(err, c.Stop())
			}
		}
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, shard, replica int) (*Server, error) {
	o := c.opts
	o.Dir, o.ports, o.cluster = c.dirs[shard][replica], c.ports[shard][replica], c.xml[shard][replica]
	return Start(ctx, o)
}

// Restart starts a stopped or killed server again on its ports with its
// data (the cluster must have been started with opts.Dir set, or the
// server's temporary folder is gone).
func (c *Cluster) Restart(ctx context.Context, shard, replica int) error {
	if c.dirs[shard][replica] == "" {
		return errors.New("chlocal: Restart needs a cluster started with Options.Dir")
	}
	s, err := c.start(ctx, shard, replica)
	if err != nil {
		return err
	}
	c.Servers[shard][replica] = s
	return nil
}

// DSN lists every server, the way kramar tries them in turn:
// clickhouse://h1:p1,h2:p2/default.
func (c *Cluster) DSN() string {
	var addrs []string
	for _, shard := range c.Servers {
		for _, s := range shard {
			addrs = append(addrs, s.Addr())
		}
	}
	return "clickhouse://" + strings.Join(addrs, ",") + "/default"
}

// Stop stops every server, then the ZooKeeper.
func (c *Cluster) Stop() error {
	var errs []error
	for _, shard := range c.Servers {
		for _, s := range shard {
			if s != nil {
				errs = append(errs, s.Stop())
			}
		}
	}
	if c.ZooKeeper != nil {
		errs = append(errs, c.ZooKeeper.Stop())
	}
	return errors.Join(errs...)
}

func (c *Cluster) remoteServers() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<%s>", ClusterName)
	for _, shard := range c.ports {
		b.WriteString("<shard><internal_replication>true</internal_replication>")
		for _, p := range shard {
			fmt.Fprintf(&b, "<replica><host>127.0.0.1</host><port>%d</port></replica>", p.tcp)
		}
		b.WriteString("</shard>")
	}
	fmt.Fprintf(&b, "</%s>", ClusterName)
	return b.String()
}

// clusterXML is one server's part of a cluster: interserver port, ZooKeeper,
// the DDL queue, the cluster, and its macros.
const clusterXML = `    <interserver_http_port>%d</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <zookeeper>
        <node><host>127.0.0.1</host><port>%d</port></node>
        <session_timeout_ms>30000</session_timeout_ms>
    </zookeeper>
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
    <remote_servers>%s</remote_servers>
    <macros><shard>%02d</shard><replica>r%d</replica></macros>
`

// Exited is closed when any process of the cluster ends.
func (c *Cluster) Exited() <-chan struct{} {
	out := make(chan struct{})
	var once sync.Once
	watch := func(ch <-chan struct{}) {
		<-ch
		once.Do(func() { close(out) })
	}
	go watch(c.ZooKeeper.Exited())
	for _, shard := range c.Servers {
		for _, s := range shard {
			go watch(s.Exited())
		}
	}
	return out
}

// LogTail returns the last lines of every server's logs.
func (c *Cluster) LogTail() string {
	var b strings.Builder
	for i, shard := range c.Servers {
		for j, s := range shard {
			fmt.Fprintf(&b, "--- shard %d replica %d ---\n%s\n", i+1, j+1, s.LogTail())
		}
	}
	return b.String()
}

// RestartZooKeeper starts the ZooKeeper again on its port with its data
// after Kill or Stop (the cluster must have been started with opts.Dir).
func (c *Cluster) RestartZooKeeper(ctx context.Context) error {
	if c.opts.Dir == "" {
		return errors.New("chlocal: RestartZooKeeper needs a cluster started with Options.Dir")
	}
	o := c.opts
	o.Dir = filepath.Join(c.opts.Dir, "zookeeper")
	zk, err := StartZooKeeper(ctx, o, c.ZooKeeper.port)
	if err != nil {
		return err
	}
	c.ZooKeeper = zk
	return nil
}
