package pipeline

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/transforms/ttn"
)

// CRMChange is a change the seller's CRM made to an order, as a person or a
// file states it.
type CRMChange struct {
	Store, OrderID     string
	Status, TTN        string
	Carrier, ChangedBy string
	ChangedAt          time.Time
}

// NewCRMUpdate checks a change against the config (the store exists; a
// status or a ТТН is given; the ТТН is valid for its carrier) and turns it
// into the row pushes will read. Its update_id is derived from the change
// itself, so importing the same file twice does not make two changes.
func NewCRMUpdate(cfg *config.Config, c CRMChange) (clickhouse.CRMUpdate, error) {
	var st *config.Store
	for i := range cfg.Stores {
		if cfg.Stores[i].ID == c.Store {
			st = &cfg.Stores[i]
		}
	}
	if st == nil {
		return clickhouse.CRMUpdate{}, fmt.Errorf("store: no store %q in %s", c.Store, cfg.Path)
	}
	if strings.TrimSpace(c.OrderID) == "" {
		return clickhouse.CRMUpdate{}, fmt.Errorf("order_id: is required")
	}
	if strings.TrimSpace(c.Status) == "" && strings.TrimSpace(c.TTN) == "" {
		return clickhouse.CRMUpdate{}, fmt.Errorf("status: a status or a ТТН is required")
	}
	u := clickhouse.CRMUpdate{
		Marketplace: st.Marketplace, Store: st.ID, OrderID: strings.TrimSpace(c.OrderID),
		CRMStatus: strings.TrimSpace(c.Status), ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt.UTC().Truncate(time.Second),
	}
	if strings.TrimSpace(c.TTN) != "" {
		r, err := ttn.Check(c.Carrier, c.TTN)
		if err != nil {
			return clickhouse.CRMUpdate{}, fmt.Errorf("ttn: %w", err)
		}
		u.TTN, u.Carrier = r.Number, c.Carrier
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{u.Marketplace, u.Store, u.OrderID, u.CRMStatus, u.TTN, u.Carrier,
		u.ChangedAt.Format(time.RFC3339), u.ChangedBy}, "\x00")))
	u.UpdateID = hex.EncodeToString(sum[:12])
	return u, nil
}

// crmColumns are the columns of a CRM changes file; changed_at and
// changed_by may be left out.
var crmColumns = []string{"store", "order_id", "status", "ttn", "carrier", "changed_at", "changed_by"}

// ParseCRMCSV reads a CSV of CRM changes (a header row naming the columns,
// comma or semicolon separated, UTF-8 with or without BOM). Good rows come
// back with an error per bad row naming its line, order and field; a row
// without changed_at is stamped with stamp.
func ParseCRMCSV(r io.Reader, name string, cfg *config.Config, stamp time.Time) ([]clickhouse.CRMUpdate, []error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, []error{err}
	}
	data = []byte(strings.TrimPrefix(string(data), "\ufeff"))
	cr := csv.NewReader(strings.NewReader(string(data)))
	if first, _, _ := strings.Cut(string(data), "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';' // the Ukrainian Excel default
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []error{fmt.Errorf("%s: no header row: %w", name, err)}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, must := range []string{"store", "order_id"} {
		if _, ok := col[must]; !ok {
			return nil, []error{fmt.Errorf("%s: the header has no %q column (columns: %s)", name, must, strings.Join(crmColumns, ", "))}
		}
	}
	var out []clickhouse.CRMUpdate
	var errs []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			continue
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		c := CRMChange{Store: get("store"), OrderID: get("order_id"), Status: get("status"), TTN: get("ttn"),
			Carrier: get("carrier"), ChangedBy: get("changed_by"), ChangedAt: stamp}
		if at := get("changed_at"); at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: order %s: changed_at: want a time like 2026-11-26T14:05:00+02:00", name, line, c.OrderID))
				continue
			}
			c.ChangedAt = t
		}
		u, err := NewCRMUpdate(cfg, c)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: store %s, order %s: %w", name, line, c.Store, c.OrderID, err))
			continue
		}
		out = append(out, u)
	}
	return out, errs
}
