package pipeline

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
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
	st, err := storeOf(cfg, c.Store)
	if err != nil {
		return clickhouse.CRMUpdate{}, err
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

// ParseCRMCSV reads a CSV of CRM order changes. Good rows come back with an
// error per bad row naming its line, order and field; a row without
// changed_at is stamped with stamp.
func ParseCRMCSV(r io.Reader, name string, cfg *config.Config, stamp time.Time) ([]clickhouse.CRMUpdate, []error) {
	var out []clickhouse.CRMUpdate
	errs := eachCSVRow(r, name, crmColumns, []string{"store", "order_id"}, func(line int, get func(string) string) error {
		c := CRMChange{Store: get("store"), OrderID: get("order_id"), Status: get("status"), TTN: get("ttn"),
			Carrier: get("carrier"), ChangedBy: get("changed_by")}
		var err error
		if c.ChangedAt, err = changedAt(get, stamp); err != nil {
			return fmt.Errorf("order %s: %w", c.OrderID, err)
		}
		u, err := NewCRMUpdate(cfg, c)
		if err != nil {
			return fmt.Errorf("store %s, order %s: %w", c.Store, c.OrderID, err)
		}
		out = append(out, u)
		return nil
	})
	return out, errs
}

// stockColumns are the columns of a CRM stock file.
var stockColumns = []string{"store", "external_id", "quantity", "changed_at", "changed_by"}

// ParseStockCSV reads a CSV of CRM stock levels per product (external_id as
// the store matches products, match_by). Good rows come back with an error
// per bad row naming its line, product and field.
func ParseStockCSV(r io.Reader, name string, cfg *config.Config, stamp time.Time) ([]clickhouse.CRMStock, []error) {
	var out []clickhouse.CRMStock
	errs := eachCSVRow(r, name, stockColumns, []string{"store", "external_id", "quantity"}, func(line int, get func(string) string) error {
		st, err := storeOf(cfg, get("store"))
		if err != nil {
			return err
		}
		id := get("external_id")
		if id == "" {
			return fmt.Errorf("store %s: external_id: is required", st.ID)
		}
		q, err := strconv.ParseUint(get("quantity"), 10, 32)
		if err != nil {
			return fmt.Errorf("store %s, product %s: quantity: want a whole number of units, not %q", st.ID, id, get("quantity"))
		}
		at, err := changedAt(get, stamp)
		if err != nil {
			return fmt.Errorf("store %s, product %s: %w", st.ID, id, err)
		}
		out = append(out, clickhouse.CRMStock{Marketplace: st.Marketplace, Store: st.ID, ExternalID: id, Quantity: uint32(q),
			ChangedAt: at, ChangedBy: get("changed_by"), Version: uint64(at.Unix())<<20 | uint64(line)})
		return nil
	})
	return out, errs
}

func storeOf(cfg *config.Config, id string) (*config.Store, error) {
	if st, ok := cfg.Store(id); ok {
		return st, nil
	}
	return nil, fmt.Errorf("store: no store %q in %s", id, cfg.Path)
}

func changedAt(get func(string) string, stamp time.Time) (time.Time, error) {
	at := get("changed_at")
	if at == "" {
		return stamp.UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return time.Time{}, fmt.Errorf("changed_at: want a time like 2026-11-26T14:05:00+02:00")
	}
	return t.UTC(), nil
}

// eachCSVRow reads a CSV with a header row naming its columns (comma or
// semicolon separated — the Ukrainian Excel default is a semicolon — UTF-8
// with or without BOM) and calls row for every data row; a row's error is
// returned prefixed with the file and line, and the next row goes on.
func eachCSVRow(r io.Reader, name string, columns, required []string, row func(line int, get func(string) string) error) []error {
	data, err := io.ReadAll(r)
	if err != nil {
		return []error{err}
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return []error{fmt.Errorf("%s: no header row: %w", name, err)}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, must := range required {
		if _, ok := col[must]; !ok {
			return []error{fmt.Errorf("%s: the header has no %q column (columns: %s)", name, must, strings.Join(columns, ", "))}
		}
	}
	var errs []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return errs
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
		if err := row(line, get); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
		}
	}
}
