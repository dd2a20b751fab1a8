// Package declarative pulls orders from a marketplace described by a YAML
// spec instead of code: the spec names the API's auth, paging and the JSON
// path of every canonical field, and this package turns it into a
// source.Orders client (on extractors/httpx) and a transform to
// canon.Order. specs/README.md documents the format.
package declarative

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kramar/kramar/transforms/timeconv"
)

// Spec is one marketplace's API as a YAML file describes it.
type Spec struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	BaseURL     string            `yaml:"base_url"`
	Auth        Auth              `yaml:"auth"`
	Orders      Orders            `yaml:"orders"`
	GetOrder    *GetOrder         `yaml:"get_order"`
	Fields      Fields            `yaml:"fields"`
	Items       Items             `yaml:"items"`
	Statuses    map[string]string `yaml:"statuses"`
	Formats     Formats           `yaml:"formats"`
	Errors      Errors            `yaml:"errors"`

	// File is where the spec was read from; Digest changes with its content.
	File   string `yaml:"-"`
	Digest string `yaml:"-"`
}

// Auth types.
const (
	AuthNone   = "none"
	AuthBearer = "bearer" // Authorization: Bearer <token>
	AuthHeader = "header" // <name>: <prefix><token>
	AuthQuery  = "query"  // ?<name>=<token>
	AuthBasic  = "basic"  // HTTP Basic with username and password
	AuthLogin  = "login"  // POST username/password for a session token
)

// Where a login token is sent (Login.Send).
const (
	SendBearer = "bearer"
	SendHeader = "header"
	SendQuery  = "query"
	SendBody   = "body"
)

// Auth says how requests are authorized.
type Auth struct {
	Type string `yaml:"type"`
	// Name is the header (header) or query parameter (query) carrying the token.
	Name string `yaml:"name"`
	// Prefix goes before the token in a header ("Token ").
	Prefix string `yaml:"prefix"`
	Login  *Login `yaml:"login"`
}

// Login is a POST that trades username and password for a session token.
type Login struct {
	Path string `yaml:"path"`
	// Body maps JSON paths of the request body to templates with
	// {{username}} and {{password}}.
	Body map[string]string `yaml:"body"`
	// Token is the JSON path of the token in the answer.
	Token Path `yaml:"token"`
	// ExpiresIn is the JSON path of the token's lifetime in seconds, if sent.
	ExpiresIn Path `yaml:"expires_in"`
	// TTL is the token's lifetime in seconds when the answer does not say
	// (default 3600); the client logs in again before it runs out.
	TTL int `yaml:"ttl"`
	// Send is where the token goes: bearer, header, query or body.
	Send string `yaml:"send"`
	// Name is the header, query parameter or top-level body key for Send.
	Name   string `yaml:"name"`
	Prefix string `yaml:"prefix"`
}

// Request is one HTTP call; values are templates.
type Request struct {
	Method string `yaml:"method"` // GET (default) or POST
	Path   string `yaml:"path"`
	// Query and Body map parameter names (Body: JSON paths) to templates:
	// {{from}} and {{to}} for the orders list, {{id}} for one order.
	Query map[string]string `yaml:"query"`
	Body  map[string]string `yaml:"body"`
	// Time is how {{from}} and {{to}} are written.
	Time TimeFormat `yaml:"time"`
}

// Orders is the list of changed orders.
type Orders struct {
	Request    Request    `yaml:"request"`
	Pagination Pagination `yaml:"pagination"`
	// Records is the JSON path of the list of orders in an answer ("." when
	// the answer is the list).
	Records Path `yaml:"records"`
	// ID is the order id inside one record.
	ID Path `yaml:"id"`
	// ChangedAt, when given, is the record's change time: records outside the
	// asked window are dropped (for APIs that cannot filter by time).
	ChangedAt Path `yaml:"changed_at"`
}

// Pagination types.
const (
	PageNumber = "page"    // page=1,2,3…
	PageOffset = "offset"  // offset=0,size,2·size…
	PageCursor = "cursor"  // cursor from the previous answer
	PageLastID = "last_id" // the highest id so far; the list is ascending by id
	PageNone   = "none"    // one answer holds everything
)

// Stop conditions.
const (
	StopShortPage  = "short_page"  // a page with fewer records than asked
	StopEmptyPage  = "empty_page"  // a page with no records
	StopHasMore    = "has_more"    // has_more is false
	StopTotal      = "total"       // the records so far reach total
	StopTotalPages = "total_pages" // the page number reaches total_pages
	StopNoNext     = "no_next"     // the next cursor is empty
)

// Pagination says how the orders list is walked.
type Pagination struct {
	Type string `yaml:"type"`
	// Param carries the page number, offset, cursor or last id.
	Param string `yaml:"param"`
	// SizeParam carries the page size; Size is the size to ask for (or, with
	// no SizeParam, the size the API always uses). MaxSize caps the store's
	// page_size.
	SizeParam string `yaml:"size_param"`
	Size      int    `yaml:"size"`
	MaxSize   int    `yaml:"max_size"`
	// Start is the first page number (default 1) or offset (default 0).
	Start *int `yaml:"start"`
	// JSON paths in an answer.
	Next       Path `yaml:"next"`
	HasMore    Path `yaml:"has_more"`
	Total      Path `yaml:"total"`
	TotalPages Path `yaml:"total_pages"`
	// Stop overrides the stop condition the other keys imply.
	Stop string `yaml:"stop"`
}

// GetOrder is the call that reads one order by {{id}}.
type GetOrder struct {
	Method string            `yaml:"method"`
	Path   string            `yaml:"path"`
	Query  map[string]string `yaml:"query"`
	Body   map[string]string `yaml:"body"`
	// Record is the JSON path of the order in the answer ("." or unset: the
	// answer is the order).
	Record Path `yaml:"record"`
}

// Fields are the JSON paths, inside one order, of the canonical fields.
type Fields struct {
	ExternalID        Path `yaml:"external_id"` // default: orders.id
	CreatedAt         Path `yaml:"created_at"`
	ModifiedAt        Path `yaml:"modified_at"`
	MarketplaceStatus Path `yaml:"marketplace_status"`
	StatusName        Path `yaml:"status_name"`
	CancelReason      Path `yaml:"cancel_reason"`
	Channel           Path `yaml:"channel"`

	BuyerLastName   Path `yaml:"buyer_last_name"`
	BuyerFirstName  Path `yaml:"buyer_first_name"`
	BuyerMiddleName Path `yaml:"buyer_middle_name"`
	BuyerFullName   Path `yaml:"buyer_full_name"` // split when the parts are not given
	BuyerPhone      Path `yaml:"buyer_phone"`
	BuyerEmail      Path `yaml:"buyer_email"`
	BuyerComment    Path `yaml:"buyer_comment"`

	RecipientLastName   Path `yaml:"recipient_last_name"`
	RecipientFirstName  Path `yaml:"recipient_first_name"`
	RecipientMiddleName Path `yaml:"recipient_middle_name"`
	RecipientFullName   Path `yaml:"recipient_full_name"`
	RecipientPhone      Path `yaml:"recipient_phone"`
	DontCallBack        Path `yaml:"dont_call_back"`

	Delivery         Path `yaml:"delivery"`
	DeliveryProvider Path `yaml:"delivery_provider"`
	DeliveryAddress  Path `yaml:"delivery_address"`
	TTN              Path `yaml:"ttn"`

	Payment       Path `yaml:"payment"`
	PaymentStatus Path `yaml:"payment_status"`
	Paid          Path `yaml:"paid"`
	// PaidValues are the values of paid meaning "paid" (default true, "true",
	// "1", "yes"), compared ignoring case.
	PaidValues []string `yaml:"paid_values"`

	Amount       Path `yaml:"amount"`
	FullAmount   Path `yaml:"full_amount"` // default: amount
	DeliveryCost Path `yaml:"delivery_cost"`
	Currency     Path `yaml:"currency"` // default: formats.currency

	UTMSource   Path `yaml:"utm_source"`
	UTMMedium   Path `yaml:"utm_medium"`
	UTMCampaign Path `yaml:"utm_campaign"`
}

// Items are the order lines.
type Items struct {
	Path   Path       `yaml:"path"` // the list inside one order
	Fields ItemFields `yaml:"fields"`
}

// ItemFields are JSON paths inside one line.
type ItemFields struct {
	ProductID  Path `yaml:"product_id"`
	ExternalID Path `yaml:"external_id"`
	SKU        Path `yaml:"sku"`
	Name       Path `yaml:"name"`
	Quantity   Path `yaml:"quantity"`
	Price      Path `yaml:"price"`
	Total      Path `yaml:"total"` // default: price × quantity
}

// Errors says how the API reports a failure inside a 2xx answer.
type Errors struct {
	// Message, when present and not empty, makes the answer an error.
	Message Path `yaml:"message"`
	// Code, when present and not one of OKCodes, makes the answer an error.
	Code    Path     `yaml:"code"`
	OKCodes []string `yaml:"ok_codes"`
	// AuthCodes are codes or messages that mean the credentials were refused
	// or the session expired (a login spec then logs in again, once).
	AuthCodes []string `yaml:"auth_codes"`
}

// Load reads and checks a spec file.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads a spec; file names it in errors. Errors name the line.
func Parse(data []byte, file string) (*Spec, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: the spec is empty", file)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	s := &Spec{File: file}
	if err := dec.Decode(s); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %s", file, strings.Join(te.Errors, "; "))
		}
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	sum := sha256.Sum256(data)
	s.Digest = hex.EncodeToString(sum[:6])
	v := &checker{file: file, root: root.Content[0]}
	s.check(v)
	if len(v.problems) > 0 {
		return nil, errors.New(strings.Join(v.problems, "\n"))
	}
	return s, nil
}

// checker gathers problems, each with the line of the key it is about.
type checker struct {
	file     string
	root     *yaml.Node
	problems []string
}

func (c *checker) problem(key, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("%s: line %d: %s: %s", c.file, c.line(key), key, fmt.Sprintf(format, args...)))
}

// line finds the dotted key in the document, or its nearest parent.
func (c *checker) line(key string) int {
	n, line := c.root, c.root.Line
	for k := range strings.SplitSeq(key, ".") {
		if n.Kind != yaml.MappingNode {
			break
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			break
		}
	}
	return line
}

var placeholder = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

// checkTemplates accepts only the placeholders a call can fill.
func (c *checker) checkTemplates(key string, m map[string]string, allowed ...string) {
	body := strings.HasSuffix(key, ".body") // body keys are JSON paths; query keys are names
	for name, tmpl := range m {
		if _, err := ParsePath(name); err != nil && body {
			c.problem(key+"."+name, "%v", err)
		}
		for _, ph := range placeholder.FindAllStringSubmatch(tmpl, -1) {
			if !slices.Contains(allowed, ph[1]) {
				c.problem(key+"."+name, "unknown placeholder {{%s}} (here: %s)", ph[1], braces(allowed))
			}
		}
	}
}

func braces(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{{" + n + "}}"
	}
	return strings.Join(out, ", ")
}

func oneOf(v string, options ...string) bool { return slices.Contains(options, v) }

func (s *Spec) check(c *checker) {
	if strings.TrimSpace(s.Name) == "" {
		c.problem("name", "is required")
	}
	s.checkAuth(c)
	s.checkOrders(c)
	if g := s.GetOrder; g != nil {
		if g.Method == "" {
			g.Method = "GET"
		}
		if !oneOf(g.Method, "GET", "POST") {
			c.problem("get_order.method", "must be GET or POST")
		}
		if !strings.HasPrefix(g.Path, "/") {
			c.problem("get_order.path", "must start with /")
		}
		c.checkTemplates("get_order.query", g.Query, "id")
		c.checkTemplates("get_order.body", g.Body, "id")
		all := g.Path
		for _, m := range []map[string]string{g.Query, g.Body} {
			for _, v := range m {
				all += v
			}
		}
		if !strings.Contains(all, "{{id}}") {
			c.problem("get_order", "must put {{id}} in its path, query or body")
		}
		if strings.Contains(g.Path, "{{") && strings.Count(g.Path, "{{") != strings.Count(g.Path, "{{id}}") {
			c.problem("get_order.path", "only {{id}} may appear in a path")
		}
	}
	if !s.Fields.CreatedAt.IsSet() {
		c.problem("fields.created_at", "is required")
	}
	if !s.Fields.Amount.IsSet() {
		c.problem("fields.amount", "is required")
	}
	if !s.Items.Path.IsSet() {
		c.problem("items.path", "is required (the list of order lines)")
	}
	if !s.Items.Fields.Quantity.IsSet() || !s.Items.Fields.Price.IsSet() {
		c.problem("items.fields", "quantity and price are required")
	}
	s.checkFormats(c)
	if (len(s.Errors.OKCodes) > 0 || len(s.Errors.AuthCodes) > 0) && !s.Errors.Code.IsSet() && !s.Errors.Message.IsSet() {
		c.problem("errors", "ok_codes and auth_codes need errors.code or errors.message")
	}
}

func (s *Spec) checkAuth(c *checker) {
	a := &s.Auth
	if a.Type == "" {
		a.Type = AuthNone
	}
	switch a.Type {
	case AuthNone, AuthBearer, AuthBasic:
	case AuthHeader, AuthQuery:
		if a.Name == "" {
			c.problem("auth.name", "is required for auth type %s (the header or query parameter)", a.Type)
		}
	case AuthLogin:
		l := a.Login
		if l == nil {
			c.problem("auth.login", "is required for auth type login")
			return
		}
		if !strings.HasPrefix(l.Path, "/") {
			c.problem("auth.login.path", "must start with /")
		}
		if !l.Token.IsSet() {
			c.problem("auth.login.token", "is required (the JSON path of the token in the answer)")
		}
		c.checkTemplates("auth.login.body", l.Body, "username", "password")
		if l.Send == "" {
			l.Send = SendBearer
		}
		if !oneOf(l.Send, SendBearer, SendHeader, SendQuery, SendBody) {
			c.problem("auth.login.send", "must be bearer, header, query or body")
		}
		if l.Send != SendBearer && l.Name == "" {
			c.problem("auth.login.name", "is required when the token is sent in a %s", l.Send)
		}
		if l.Send == SendBody && strings.ContainsAny(l.Name, ".[") {
			c.problem("auth.login.name", "a body token must be a top-level key")
		}
		if l.TTL < 0 {
			c.problem("auth.login.ttl", "must be seconds >= 0")
		}
		if l.TTL == 0 {
			l.TTL = 3600
		}
	default:
		c.problem("auth.type", "unknown type %q (want none, bearer, header, query, basic or login)", a.Type)
	}
	if a.Type != AuthLogin && a.Login != nil {
		c.problem("auth.login", "only auth type login uses it")
	}
}

func (s *Spec) checkOrders(c *checker) {
	o := &s.Orders
	r := &o.Request
	if r.Method == "" {
		r.Method = "GET"
	}
	if !oneOf(r.Method, "GET", "POST") {
		c.problem("orders.request.method", "must be GET or POST")
	}
	if !strings.HasPrefix(r.Path, "/") || strings.Contains(r.Path, "{{") {
		c.problem("orders.request.path", "must start with / and hold no placeholder")
	}
	c.checkTemplates("orders.request.query", r.Query, "from", "to")
	c.checkTemplates("orders.request.body", r.Body, "from", "to")
	if r.Method == "GET" && len(r.Body) > 0 {
		c.problem("orders.request.body", "a GET request has no body; use query")
	}
	c.checkTime("orders.request.time", &r.Time)
	if !o.Records.IsSet() {
		c.problem("orders.records", "is required (the JSON path of the list of orders, or . for the answer itself)")
	}
	if !o.ID.IsSet() {
		c.problem("orders.id", "is required (the JSON path of the order id inside one order)")
	}
	p := &o.Pagination
	if p.Type == "" {
		p.Type = PageNone
	}
	switch p.Type {
	case PageNumber, PageOffset, PageLastID:
		if p.Param == "" {
			c.problem("orders.pagination.param", "is required for %s pagination", p.Type)
		}
	case PageCursor:
		if p.Param == "" {
			c.problem("orders.pagination.param", "is required for cursor pagination")
		}
		if !p.Next.IsSet() {
			c.problem("orders.pagination.next", "is required for cursor pagination (the JSON path of the next cursor)")
		}
	case PageNone:
	default:
		c.problem("orders.pagination.type", "unknown type %q (want page, offset, cursor, last_id or none)", p.Type)
	}
	if p.Size < 0 || p.MaxSize < 0 {
		c.problem("orders.pagination.size", "must be >= 0")
	}
	if p.Stop == "" {
		p.Stop = defaultStop(p)
	}
	need := map[string]Path{StopHasMore: p.HasMore, StopTotal: p.Total, StopTotalPages: p.TotalPages, StopNoNext: p.Next}
	if !oneOf(p.Stop, StopShortPage, StopEmptyPage, StopHasMore, StopTotal, StopTotalPages, StopNoNext) {
		c.problem("orders.pagination.stop", "unknown stop %q (want short_page, empty_page, has_more, total, total_pages or no_next)", p.Stop)
	}
	if path, ok := need[p.Stop]; ok && !path.IsSet() {
		c.problem("orders.pagination.stop", "stop %s needs the JSON path orders.pagination.%s", p.Stop, map[string]string{
			StopHasMore: "has_more", StopTotal: "total", StopTotalPages: "total_pages", StopNoNext: "next"}[p.Stop])
	}
	if p.Stop == StopShortPage && p.SizeParam == "" && p.Size == 0 && p.Type != PageNone {
		c.problem("orders.pagination.size", "a short-page stop needs size_param or the API's fixed size")
	}
}

// defaultStop is the strongest signal the spec gives.
func defaultStop(p *Pagination) string {
	switch {
	case p.Type == PageCursor:
		return StopNoNext
	case p.HasMore.IsSet():
		return StopHasMore
	case p.Total.IsSet() && p.Type != PageLastID:
		return StopTotal
	case p.TotalPages.IsSet() && p.Type == PageNumber:
		return StopTotalPages
	}
	return StopShortPage
}

func (s *Spec) checkFormats(c *checker) {
	f := &s.Formats
	if f.Money == "" {
		f.Money = MoneyAuto
	}
	if !oneOf(f.Money, MoneyNumber, MoneyDot, MoneyComma, MoneyAuto) {
		c.problem("formats.money", "unknown format %q (want number, dot, comma or auto)", f.Money)
	}
	if f.Currency == "" {
		f.Currency = "UAH"
	}
	c.checkTime("formats.time", &f.Time)
}

func (c *checker) checkTime(key string, t *TimeFormat) {
	switch t.Zone {
	case "", "UTC":
		t.loc = time.UTC
	case "Europe/Kyiv", "Europe/Kiev":
		t.loc = timeconv.Kyiv
	default:
		loc, err := time.LoadLocation(t.Zone)
		if err != nil {
			c.problem(key+".zone", "unknown time zone %q", t.Zone)
			return
		}
		t.loc = loc
	}
	if t.Layout != "" {
		t.Layouts = append([]string{t.Layout}, t.Layouts...)
		t.Layout = ""
	}
	for _, l := range t.Layouts {
		if !named[l] && !strings.Contains(l, "2006") {
			c.problem(key+".layouts", "layout %q is neither unix, unix_ms, rfc3339, iso nor a Go layout with 2006", l)
		}
	}
}
