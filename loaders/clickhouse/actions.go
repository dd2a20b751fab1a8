package clickhouse

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kramar/kramar/schema/rows"
)

// Action is one row of console_actions: what an ops user did through the
// console.
type Action struct {
	At          time.Time
	User        string
	Role        string
	Action      string
	Marketplace string
	Store       string
	Detail      string
	Outcome     string
	Message     string
}

var actionsSpec = rows.FromStruct[Action]("console_actions")

// RecordAction appends a to console_actions.
func (w *Warehouse) RecordAction(ctx context.Context, a Action) error {
	return insertAll(ctx, w, actionsSpec, []Action{a}, "record console action")
}

// RecentActions are the last n actions, the newest first.
func (w *Warehouse) RecentActions(ctx context.Context, n int) ([]Action, error) {
	q := `SELECT at, user, role, action, marketplace, store, detail, outcome, message
	      FROM ` + w.table("console_actions") + ` ORDER BY at DESC LIMIT ?`
	out, err := collect(ctx, w, q, func(rs driver.Rows, a *Action) error {
		return rs.Scan(&a.At, &a.User, &a.Role, &a.Action, &a.Marketplace, &a.Store, &a.Detail, &a.Outcome, &a.Message)
	}, n)
	return out, wrapErr(err, "recent console actions")
}
