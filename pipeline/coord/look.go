package coord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"time"

	"github.com/go-zookeeper/zk"
)

// View is what ZooKeeper shows of the workers: who is alive, and who
// holds each lease (store id, or ExpensesLease → worker).
type View struct {
	Workers []string
	Leases  map[string]string
}

// Look reads the View under root without joining the workers (kramar
// status). It fails when no server answers within ctx.
func Look(ctx context.Context, servers []string, root string, log *slog.Logger) (View, error) {
	if log == nil {
		log = slog.Default()
	}
	conn, ok, err := connect(ctx, servers, 10*time.Second, log, nil)
	if err != nil {
		return View{}, fmt.Errorf("zookeeper: %w", err)
	}
	if !ok {
		return View{}, errors.New("zookeeper: no server answered")
	}
	defer conn.Close()
	v := View{Leases: map[string]string{}}
	if v.Workers, err = children(conn, path.Join(root, "workers")); err != nil {
		return v, err
	}
	leases, err := children(conn, path.Join(root, "leases"))
	if err != nil {
		return v, err
	}
	for _, l := range leases {
		data, _, err := conn.Get(path.Join(root, "leases", l))
		if errors.Is(err, zk.ErrNoNode) {
			continue // released meanwhile
		}
		if err != nil {
			return v, fmt.Errorf("zookeeper: %w", err)
		}
		v.Leases[l] = string(data)
	}
	return v, nil
}

// children lists a node's children, sorted; none when it does not exist.
func children(conn *zk.Conn, p string) ([]string, error) {
	names, _, err := conn.Children(p)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("zookeeper: %w", err)
	}
	sort.Strings(names)
	return names, nil
}
