package prom_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
)

// answering is a client whose every call gets body with HTTP 200: the
// shapes other clients report and the sandbox does not send.
func answering(t *testing.T, body string) (*prom.Client, *atomic.Int32) {
	t.Helper()
	calls := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return prom.NewClient(source.Config{Store: "shop", BaseURL: srv.URL, Token: "tok",
		HTTP: httpx.Options{Timeout: time.Second, MaxAttempts: 3, InitialBackoff: time.Millisecond}}), calls
}

func TestSaveDeclarationNeedsSuccess(t *testing.T) {
	c, _ := answering(t, `{"status":"error","message":"Order is not delivered by Nova Poshta"}`)
	err := c.SaveDeclaration(context.Background(), 1, "20450000000017", "nova_poshta")
	var refused *prom.RefusedError
	if !errors.As(err, &refused) || refused.Reason != `status "error": Order is not delivered by Nova Poshta` {
		t.Fatalf("err = %v", err)
	}
}

func TestEditResponseReadsAnyIDAndErrorShape(t *testing.T) {
	c, _ := answering(t, `{"processed_ids":[101,"SKU-2"],"errors":{"SKU-3":{"presence":"invalid"},"SKU-4":"not found"}}`)
	resp, err := c.EditByExternalID(context.Background(), []prom.ProductEdit{{ID: "SKU-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.ProcessedIDs) != 2 || resp.ProcessedIDs[0] != "101" || resp.ProcessedIDs[1] != "SKU-2" ||
		resp.Errors["SKU-3"] != `{"presence":"invalid"}` || resp.Errors["SKU-4"] != "not found" {
		t.Fatalf("resp = %+v", resp)
	}
}

func TestWritesAreNotRepeatedOnACutAnswer(t *testing.T) {
	c, calls := answering(t, `{"processed_ids":[1`)
	_, err := c.SetStatus(context.Background(), prom.SetStatusRequest{IDs: []int64{1}, Status: "received"})
	if !httpx.Uncertain(err) || calls.Load() != 1 {
		t.Fatalf("err = %v after %d calls", err, calls.Load())
	}
}
