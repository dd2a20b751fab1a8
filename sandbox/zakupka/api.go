package zakupka

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/sandbox/feedgen"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/transforms/timeconv"
)

// SessionCookie is the cookie checkauth hands out, as PHP sites do.
const SessionCookie = "PHPSESSID"

// sessionTTL bounds an exchange session.
const sessionTTL = time.Hour

// fileLimit is what mode=init announces.
const fileLimit = 8 << 20

// textError renders an error as the exchange protocol does: "failure\n<reason>".
func textError(_ int, msg string) []byte { return []byte("failure\n" + msg + "\n") }

// The kit's auth reads bearer tokens; each credential of this API is
// registered under a prefix of its kind so one kind cannot stand for another.
func keyToken(key string) string          { return "key:" + key }
func loginToken(user, pass string) string { return "login:" + user + "\x00" + pass }
func sessionToken(v string) string        { return "session:" + v }

func (s *Sandbox) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET "+OrdersPath, s.handleOrdersFile)
	api.HandleFunc("GET "+FeedPath, s.handleFeed)
	api.HandleFunc(ExchangePath, s.handleExchange)
	return kit.AsBearer(kit.Guard(&s.base, textError, api), credential)
}

// credential takes the request's credential out of it, before the recorder
// sees it: the key query parameter of the file and the feed, HTTP Basic for
// checkauth, the session cookie for the other exchange calls.
func credential(r *http.Request) string {
	defer r.Header.Del("Cookie")
	switch {
	case r.URL.Path == ExchangePath && r.URL.Query().Get("mode") == "checkauth":
		if user, pass, ok := r.BasicAuth(); ok {
			return loginToken(user, pass)
		}
	case r.URL.Path == ExchangePath:
		if c, err := r.Cookie(SessionCookie); err == nil {
			return sessionToken(c.Value)
		}
	default:
		if k := kit.TakeQuery(r, "key"); k != "" {
			return keyToken(k)
		}
	}
	return ""
}

// handleOrdersFile serves «Файл заказов»: the orders created in the last
// 7 days (new ones only when the store is set so).
func (s *Sandbox) handleOrdersFile(w http.ResponseWriter, r *http.Request) {
	st := s.stores.Of(r)
	since := s.Clock().Now().Add(-FileWindow)
	docs := st.documents(func(o *order) bool {
		return !o.created.Before(since) && (!st.opts.FileOnlyNew || status(&o.doc) == StatusNew)
	})
	s.writeCML(w, st, docs)
}

func (s *Sandbox) handleFeed(w http.ResponseWriter, r *http.Request) {
	st := s.stores.Of(r)
	var b bytes.Buffer
	err := feedgen.WriteYML(&b, feedgen.Options{
		Offers: st.opts.FeedOffers, Dialect: feedgen.Zakupka, Encoding: st.opts.Encoding,
		Seed: uint64(s.seed) + uint64(st.index),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset="+st.opts.Encoding)
	_, _ = w.Write(b.Bytes())
}

// handleExchange is the site side of the 1C exchange for orders.
func (s *Sandbox) handleExchange(w http.ResponseWriter, r *http.Request) {
	st := s.stores.Of(r)
	q := r.URL.Query()
	if q.Get("type") != "sale" {
		writeText(w, "failure\nunsupported type "+strconv.Quote(q.Get("type")))
		return
	}
	switch q.Get("mode") {
	case "checkauth":
		st.mu.Lock()
		st.session++
		value := fmt.Sprintf("sess%d%s%06d", st.index+1, "x", st.session)
		st.mu.Unlock()
		s.tokens.AddExpiring(sessionToken(value), st.id, s.Clock().Now().Add(sessionTTL))
		writeText(w, "success\n"+SessionCookie+"\n"+value+"\n")
	case "init":
		writeText(w, "zip=no\nfile_limit="+strconv.Itoa(fileLimit)+"\n")
	case "query":
		st.mu.Lock()
		st.queried = st.seq.Load()
		synced := st.synced
		st.mu.Unlock()
		s.writeCML(w, st, st.documents(func(o *order) bool { return o.seq > synced }))
	case "success":
		st.mu.Lock()
		st.synced = st.queried
		st.mu.Unlock()
		writeText(w, "success\n")
	default:
		writeText(w, "failure\nunsupported mode "+strconv.Quote(q.Get("mode")))
	}
}

// documents copies the orders keep selects, ascending id.
func (st *store) documents(keep func(*order) bool) []cml.Document {
	var out []cml.Document
	for _, o := range st.book.Filter(keep) {
		out = append(out, o.doc)
	}
	return out
}

// writeCML sends docs as a CML file in the store's schema and encoding.
func (s *Sandbox) writeCML(w http.ResponseWriter, st *store, docs []cml.Document) {
	body, err := Encode(docs, s.Clock().Now(), st.opts.format())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset="+st.opts.Encoding)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// EncodeCML writes docs as a CML 2.05 file generated at now, in UTF-8 or
// windows-1251 (see Encode).
func EncodeCML(docs []cml.Document, now time.Time, encoding string) ([]byte, error) {
	return Encode(docs, now, Format{Encoding: encoding})
}

// Encode writes docs as a CML file generated at now in format f. A
// character windows-1251 lacks becomes a character reference, so the text
// still survives exactly. The 1C schemas put the root in 1C's namespace
// and indent with tabs, as 1C does; Schema31 gives every document its own
// Контейнер.
func Encode(docs []cml.Document, now time.Time, f Format) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.Encoding == "" {
		f.Encoding = UTF8
	}
	info := cml.Info{
		Namespace: namespaces[f.schema()], SchemaVersion: f.schema(),
		GeneratedAt: timeconv.FormatKyiv(now, "2006-01-02T15:04:05"),
	}
	if f.schema() == Schema31 {
		for _, d := range docs {
			info.Containers = append(info.Containers, cml.Container{Documents: []cml.Document{d}})
		}
	} else {
		info.Documents = docs
	}
	indent, label := "  ", f.Encoding
	if f.oneC() {
		indent = "\t"
		if f.Encoding == UTF8 {
			label = "UTF-8"
		}
	}
	body, err := xml.MarshalIndent(info, "", indent)
	if err != nil {
		return nil, err
	}
	body = dropEmptyWrappers(body)
	var b bytes.Buffer
	if f.BOM {
		b.WriteString("\xef\xbb\xbf")
	}
	b.WriteString(`<?xml version="1.0" encoding="` + label + `"?>` + "\n")
	switch f.Encoding {
	case UTF8:
		b.Write(body)
	case Windows1251:
		for _, c := range string(body) {
			if c < 0x80 {
				b.WriteByte(byte(c))
			} else if v, ok := charmap.Windows1251.EncodeRune(c); ok {
				b.WriteByte(v)
			} else {
				b.WriteString("&#" + strconv.Itoa(int(c)) + ";")
			}
		}
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// emptyWrapper is a list element with nothing in it. encoding/xml writes
// the parents of an "a>b" field even when the list is empty; 1C and the
// shops never write an empty <Налоги/> or <Оплаты/>, so neither does the
// simulator.
var emptyWrapper = regexp.MustCompile(`\n?[ \t]*<(Контрагенты|Контакты|Представители|Представитель|Налоги|Скидки|Оплаты|Товары|СтавкиНалогов|ЗначенияРеквизитов)>\s*</(Контрагенты|Контакты|Представители|Представитель|Налоги|Скидки|Оплаты|Товары|СтавкиНалогов|ЗначенияРеквизитов)>`)

func dropEmptyWrappers(body []byte) []byte {
	for {
		out := emptyWrapper.ReplaceAllFunc(body, func(m []byte) []byte {
			sub := emptyWrapper.FindSubmatch(m)
			if string(sub[1]) != string(sub[2]) {
				return m
			}
			return nil
		})
		if len(out) == len(body) {
			return out
		}
		body = out
	}
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(strings.TrimLeft(s, "\n")))
}
