package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/transforms/ttn"
)

// Sources of a push, as push_log names them.
const (
	pushFromCRM   = "crm"
	pushFromStock = "stock"
	rulePrefix    = "rule:"
)

// Push states, as push_log names them.
const (
	pushSending  = "sending"  // written before the request goes out
	pushDone     = "done"     // the marketplace shows the change, after kramar sent it
	pushAlready  = "already"  // the marketplace showed the change before kramar sent anything
	pushRejected = "rejected" // the marketplace refused, or would: not sent again
	pushFailed   = "failed"   // not landed yet; the next cycle tries again
	pushSkipped  = "skipped"  // nothing to send (no outbound mapping for the CRM status…)
)

// pushWork is one wanted change of one order, from the CRM or from a rule.
type pushWork struct {
	key       string // idempotency key of the change; its calls add "/<action>"
	updateID  string // crm_updates.update_id; '' for rules
	source    string
	crmStatus string
	why       string
	change    marketplace.Change
	// onlyFrom (rules) is the status the order must still be in on the
	// marketplace: the warehouse may be a cycle behind.
	onlyFrom string
	// refused says why the change is not sent at all, and skipped whether
	// that is "nothing to do" rather than a refusal.
	refused string
	skipped bool
}

// pushWorkOf lists the store's open changes: CRM updates first (oldest
// first), then what the rules want. Reads only the warehouse.
func (r *Runner) pushWorkOf(ctx context.Context, st config.Store) ([]pushWork, error) {
	var work []pushWork
	if st.Push.Orders {
		ups, err := r.wh().OpenCRMUpdates(ctx, st.Marketplace, st.ID)
		if err != nil {
			return nil, err
		}
		outbound := r.Config.OutboundFor(st)
		for _, u := range ups {
			work = append(work, crmWork(st, outbound, u))
		}
	}
	for _, rule := range r.rulesOf(st) {
		rw, err := r.ruleWork(ctx, st, rule)
		if err != nil {
			return nil, err
		}
		work = append(work, rw...)
	}
	return work, nil
}

// ruleWork lists the changes one rule wants: the store's orders that the
// warehouse shows in the rule's status, unchanged for its time.
func (r *Runner) ruleWork(ctx context.Context, st config.Store, rule namedRule) ([]pushWork, error) {
	orders, err := r.wh().OrdersInStatus(ctx, st.Marketplace, st.ID, rule.Status, r.now().Add(-rule.After.Duration))
	if err != nil {
		return nil, err
	}
	work := make([]pushWork, 0, len(orders))
	for _, o := range orders {
		why := fmt.Sprintf("rule %s: in status %s", rule.name, rule.Status)
		if rule.After.Duration > 0 {
			why += " for more than " + rule.After.String()
		}
		work = append(work, pushWork{
			key:      fmt.Sprintf("rule/%s/%s/%s>%s", rule.name, o.ID, rule.Status, rule.To),
			source:   rulePrefix + rule.name,
			why:      why,
			onlyFrom: rule.Status,
			change:   marketplace.Change{OrderID: o.ID, Status: rule.To, CancelReason: rule.CancelReason, CancelText: rule.CancelText},
		})
	}
	return work, nil
}

// namedRule is a status rule with the name push_log gives it.
type namedRule struct {
	name string
	config.StatusRule
}

func (r *Runner) rulesOf(st config.Store) []namedRule {
	var out []namedRule
	if acc, ok := acceptRule(st); ok {
		out = append(out, acc)
	}
	for _, rule := range st.Push.AutoCancel {
		out = append(out, namedRule{"auto_cancel", rule})
	}
	for _, rule := range st.Push.Close {
		out = append(out, namedRule{"close", rule})
	}
	return out
}

// acceptRule is the store's auto_accept rule, when it has one.
func acceptRule(st config.Store) (namedRule, bool) {
	acc := config.MarketplaceCapabilities(st.Marketplace).Accept
	return namedRule{"auto_accept", acc}, st.Push.AutoAccept && acc.Status != ""
}

// acceptOnImport accepts the orders an order cycle just loaded
// (push.auto_accept) at once, rather than at the next push cycle. A failure
// here does not fail the order cycle: the push cycle takes the orders up.
func (r *Runner) acceptOnImport(ctx context.Context, st config.Store, conn connectors.Connector, cfg source.Config, log *slog.Logger) {
	rule, ok := acceptRule(st)
	if !ok || conn.Pusher == nil {
		return
	}
	res := &StoreResult{}
	work, err := r.ruleWork(ctx, st, rule)
	if err == nil {
		var job *pushJob
		if job, err = r.newPushJob(ctx, st, conn, cfg, res, log, work); err == nil {
			err = job.run(ctx, work)
		}
	}
	if err != nil || res.Held > 0 {
		log.Warn("accepting new orders on import did not finish; the push cycle will", "error", err, "open", res.Held)
		return
	}
	if res.New > 0 {
		log.Info("new orders accepted on import", "accepted", res.New)
	}
}

// crmWork turns a CRM update into the marketplace change it asks for.
func crmWork(st config.Store, outbound map[string]config.Outbound, u clickhouse.CRMUpdate) pushWork {
	w := pushWork{
		key: u.UpdateID, updateID: u.UpdateID, source: pushFromCRM, crmStatus: u.CRMStatus,
		why:    fmt.Sprintf("CRM change by %s at %s", cmp.Or(u.ChangedBy, "-"), u.ChangedAt.UTC().Format(time.RFC3339)),
		change: marketplace.Change{OrderID: u.OrderID},
	}
	passTTN := u.CRMStatus == ""
	if u.CRMStatus != "" {
		ob, ok := lookupOutbound(outbound, u.CRMStatus)
		if !ok {
			w.refused, w.skipped = fmt.Sprintf("CRM status %q has no outbound mapping for %s (outbound.%s in the config)", u.CRMStatus, st.Marketplace, st.Marketplace), true
			return w
		}
		w.change.Status, w.change.CancelReason, w.change.CancelText = ob.Status, ob.CancelReason, ob.CancelText
		passTTN = ob.TTN
	}
	if u.TTN != "" && passTTN {
		res, err := ttn.Check(u.Carrier, u.TTN)
		if err != nil {
			w.refused = fmt.Sprintf("order %s: ТТН %q: %v", u.OrderID, u.TTN, err)
			return w
		}
		w.change.TTN, w.change.Carrier = res.Number, u.Carrier
	}
	if w.change.Status == "" && w.change.TTN == "" {
		w.refused, w.skipped = "nothing to send: no status and no ТТН to pass", true
	}
	return w
}

// lookupOutbound finds a CRM status in the mapping, forgiving case and
// surrounding spaces as the inbound mappings do.
func lookupOutbound(m map[string]config.Outbound, crm string) (config.Outbound, bool) {
	if ob, ok := m[crm]; ok {
		return ob, true
	}
	for k, ob := range m {
		if normalize(k) == normalize(crm) {
			return ob, true
		}
	}
	return config.Outbound{}, false
}

// push runs one reverse cycle for a store: its CRM changes and rules, then
// its stock. In the run record fetched counts the changes looked at, new
// those that landed, unchanged those the marketplace already showed,
// rejected the refused ones, held those still open and updated the stock
// items accepted.
func (r *Runner) push(ctx context.Context, st config.Store, conn connectors.Connector, cfg source.Config, res *StoreResult, log *slog.Logger) error {
	if conn.Pusher == nil {
		return fmt.Errorf("store %s: kramar pushes nothing back to %s", st.ID, st.Marketplace)
	}
	work, err := r.pushWorkOf(ctx, st)
	if err != nil {
		return err
	}
	job, err := r.newPushJob(ctx, st, conn, cfg, res, log, work)
	if err != nil {
		return err
	}
	if err := job.run(ctx, work); err != nil {
		return err
	}
	if st.Push.Stock {
		sp, ok := job.pusher.(marketplace.StockPusher)
		if !ok {
			return fmt.Errorf("store %s: kramar sends no stock to %s", st.ID, st.Marketplace)
		}
		if err := job.pushStock(ctx, sp); err != nil {
			return err
		}
	}
	if res.Held > 0 {
		return fmt.Errorf("store %s: %d pushes have not landed yet; the next cycle tries them again", st.ID, res.Held)
	}
	return nil
}

// newPushJob prepares a reverse cycle of one store's work: its pusher and
// what the push log says of the calls that work may make.
func (r *Runner) newPushJob(ctx context.Context, st config.Store, conn connectors.Connector, cfg source.Config, res *StoreResult, log *slog.Logger, work []pushWork) (*pushJob, error) {
	states, err := r.wh().PushStates(ctx, st.Marketplace, st.ID, callIDs(work))
	if err != nil {
		return nil, err
	}
	backoff := r.PushBackoff
	if backoff <= 0 {
		backoff = time.Second
	}
	return &pushJob{wh: r.wh(), store: st, pusher: conn.Pusher(cfg), now: r.now, log: log, result: res,
		tries: max(st.MaxAttempts, 1), backoff: backoff, states: states}, nil
}

// callIDs are the push ids the calls of work may have: a call's push_id is
// its change's key and its kind.
func callIDs(work []pushWork) []string {
	ids := make([]string, 0, len(work)*len(marketplace.Kinds))
	for _, w := range work {
		for _, k := range marketplace.Kinds {
			ids = append(ids, w.key+"/"+k)
		}
	}
	return ids
}

// PlannedPush is one line of a push plan.
type PlannedPush struct {
	Store   string
	OrderID string // '' for stock
	Action  string // status | ttn | status+ttn | stock | change
	From    string // the status the warehouse last saw
	To      string
	TTN     string
	Product string // external id, for stock
	Qty     uint32
	Why     string
	// Refused says why it would not be sent; empty when it would be.
	Refused string
}

// PlanPush lists what one reverse cycle would do for the given stores (all
// that push when none is given), without a request to any marketplace and
// without writing anything: the warehouse is only read. From is the status
// the warehouse last saw; the marketplace's own answer may still differ.
func (r *Runner) PlanPush(ctx context.Context, storeIDs ...string) ([]PlannedPush, error) {
	stores, err := r.pushStores(storeIDs)
	if err != nil {
		return nil, err
	}
	var plan []PlannedPush
	for _, st := range stores {
		p, err := r.planStore(ctx, st)
		if err != nil {
			return plan, fmt.Errorf("store %s: %w", st.ID, err)
		}
		plan = append(plan, p...)
	}
	return plan, nil
}

func (r *Runner) planStore(ctx context.Context, st config.Store) ([]PlannedPush, error) {
	conn, err := r.connectorFor(st)
	if err != nil {
		return nil, err
	}
	if conn.Pusher == nil {
		return nil, fmt.Errorf("kramar pushes nothing back to %s", st.Marketplace)
	}
	cfg, err := r.sourceConfig(st)
	if err != nil {
		return nil, err
	}
	pusher := conn.Pusher(cfg) // only Plan is called: it makes no request
	work, err := r.pushWorkOf(ctx, st)
	if err != nil {
		return nil, err
	}
	states, err := r.wh().PushStates(ctx, st.Marketplace, st.ID, callIDs(work))
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(work))
	for _, w := range work {
		ids = append(ids, w.change.OrderID)
	}
	refs, err := r.wh().OrderRefs(ctx, st.Marketplace, st.ID, ids)
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for _, o := range refs {
		seen[o.ID] = o.Status
	}
	var plan []PlannedPush
	for _, w := range work {
		line := PlannedPush{Store: st.ID, OrderID: w.change.OrderID, Action: "change", From: seen[w.change.OrderID],
			To: w.change.Status, TTN: w.change.TTN, Why: w.why, Refused: w.refused}
		if w.refused != "" {
			plan = append(plan, line)
			continue
		}
		actions, err := pusher.Plan(w.change)
		if reason, ok := marketplace.IsRejected(err); ok {
			line.Refused = reason
			plan = append(plan, line)
			continue
		} else if err != nil {
			return nil, err
		}
		for _, a := range actions {
			if states[w.key+"/"+a.Kind].Final {
				continue
			}
			l := line
			l.Action, l.To, l.TTN = a.Kind, a.Status, a.TTN
			plan = append(plan, l)
		}
	}
	if st.Push.Stock {
		stock, err := r.wh().StockChanges(ctx, st.Marketplace, st.ID)
		if err != nil {
			return nil, err
		}
		for _, s := range stock {
			plan = append(plan, PlannedPush{Store: st.ID, Action: "stock", Product: s.ExternalID, Qty: s.Quantity,
				Why: "CRM stock differs from what was last sent"})
		}
	}
	return plan, nil
}

// pushStores are the named stores, or every store that pushes anything.
func (r *Runner) pushStores(ids []string) ([]config.Store, error) {
	if len(ids) > 0 {
		return r.pick(ids)
	}
	var out []config.Store
	for _, st := range r.Config.Stores {
		if st.Push.Enabled() {
			out = append(out, st)
		}
	}
	return out, nil
}

// summarize shortens a marketplace answer for the push log.
func summarize(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// logPush is a push step's line in the process log.
func logPush(log *slog.Logger, s clickhouse.PushStep) {
	level := slog.LevelDebug // the run record counts them; push_log has each
	if s.State == pushRejected || s.State == pushFailed {
		level = slog.LevelWarn
	}
	log.Log(context.Background(), level, "push", "order", s.OrderID, "action", s.Action,
		"to", s.ToStatus, "ttn", s.TTN, "state", s.State, "reason", s.Reason)
}
