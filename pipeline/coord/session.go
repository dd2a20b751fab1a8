package coord

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-zookeeper/zk"
)

// connect opens a ZooKeeper connection and waits, at most until ctx ends,
// for its session; ok is false (and the connection closed) when no server
// answered. zk.Connect itself only starts dialling in the background.
// onEvent, when set, sees every event of the session.
func connect(ctx context.Context, servers []string, timeout time.Duration, log *slog.Logger, onEvent zk.EventCallback) (conn *zk.Conn, ok bool, err error) {
	conn, events, err := zk.Connect(servers, timeout, zk.WithLogger(zkLog{log}), zk.WithLogInfo(false), zk.WithEventCallback(onEvent))
	if err != nil {
		return nil, false, err
	}
	for conn.State() != zk.StateHasSession {
		select {
		case <-ctx.Done():
			conn.Close()
			return nil, false, nil
		case <-events:
		case <-time.After(50 * time.Millisecond):
		}
	}
	return conn, true, nil
}
