package source

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/kramar/kramar/extractors/httpx"
)

func TestSizeDefaultsAndCaps(t *testing.T) {
	for _, c := range []struct{ store, def, max, want int }{
		{0, 100, 0, 100}, {-1, 100, 0, 100}, {25, 100, 0, 25}, {500, 100, 100, 100}, {0, 100, 50, 50}, {30, 100, 50, 30},
	} {
		if got := (Config{PageSize: c.store}).Size(c.def, c.max); got != c.want {
			t.Errorf("Size(%d, %d) of a store asking %d = %d, want %d", c.def, c.max, c.store, got, c.want)
		}
	}
}

func TestOneTurnsNotFoundIntoNotFoundError(t *testing.T) {
	missing := &httpx.Error{Kind: httpx.KindRequest, Status: http.StatusNotFound}
	refused := &httpx.Error{Kind: httpx.KindAuth, Status: http.StatusUnauthorized}
	var nf *NotFoundError
	if _, err := One("7", nil, missing, nil); !errors.As(err, &nf) || nf.ID != "7" {
		t.Errorf("a 404 gives %v, want order 7 not found", err)
	}
	if _, err := One("7", nil, refused, nil); err != refused {
		t.Errorf("a 401 gives %v, want it as it is", err)
	}
	if _, err := One("7", nil, refused, func(error) bool { return true }); !errors.As(err, &nf) {
		t.Errorf("the client's own not-found test is not used: %v", err)
	}
	if o, err := One("7", json.RawMessage(`{"id":7}`), nil, nil); err != nil || o.ID != "7" || string(o.Body) != `{"id":7}` {
		t.Errorf("a found record gives %+v, %v", o, err)
	}
}
