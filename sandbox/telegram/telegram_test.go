package telegram

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAFaultWithTextWaitsForAMessageItFits(t *testing.T) {
	s := New("123:abc")
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	s.Fail(Fault{Kind: ServerError, Text: "order 2"}, Fault{Kind: ServerError})
	send := func(text string) int {
		res, err := http.Post(srv.URL+"/bot123:abc/sendMessage", "application/json", strings.NewReader(`{"chat_id":"-1","text":"`+text+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// order 1 passes the aimed fault by and meets the plain one behind it.
	for _, c := range []struct {
		text string
		code int
	}{{"order 1", 502}, {"order 1", 200}, {"order 2", 502}, {"order 2", 200}} {
		if got := send(c.text); got != c.code {
			t.Errorf("%s: %d, want %d", c.text, got, c.code)
		}
	}
	if m := s.Messages(); len(m) != 2 || m[0].Text != "order 1" || m[1].Text != "order 2" {
		t.Errorf("messages %+v", m)
	}
}
