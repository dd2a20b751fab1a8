// Package notify tells people about new marketplace orders: a message made
// from a per-store template, sent to a Telegram chat through the Bot API or
// posted to a webhook, with retries that honour the receiver's back-off.
//
// Errors never carry the bot token or the webhook address: both may be
// secrets.
package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/extractors/retry"
)

// Order is what a message template sees.
type Order struct {
	ID          string          `json:"id"`
	Store       string          `json:"store"`
	Marketplace string          `json:"marketplace"`
	Amount      decimal.Decimal `json:"amount"`
	Currency    string          `json:"currency"`
	Buyer       string          `json:"buyer"` // "Last First Middle", as given
	Phone       string          `json:"phone"`
	// Viber opens a chat with the buyer (viber://chat?number=%2B380…); ""
	// when the phone is not a whole number.
	Viber     string    `json:"viber,omitempty"`
	Items     int       `json:"items"` // order lines
	CreatedAt time.Time `json:"created_at"`
}

// DefaultTemplate is used when a store sets none. A marketplace may hold
// the buyer's contacts back until the seller confirms the order (Epicentr
// does while it is new): the message says so rather than showing a blank.
const DefaultTemplate = "Нове замовлення {{.ID}} ({{.Marketplace}}, {{.Store}})\n" +
	"{{if or .Buyer .Phone}}{{.Buyer}} {{.Phone}}{{else}}контакти покупця маркетплейс ще не передав{{end}}\n" +
	"{{.Items}} поз., {{.Amount.StringFixed 2}} {{.Currency}}"

// Parse compiles a message template (DefaultTemplate when text is empty) and
// tries it on a sample order, so a template that cannot run is refused when
// the config is read rather than when the first order comes.
func Parse(text string) (*template.Template, error) {
	if strings.TrimSpace(text) == "" {
		text = DefaultTemplate
	}
	t, err := template.New("message").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	if _, err := Render(t, Order{ID: "1", Amount: decimal.New(100, 0)}); err != nil {
		return nil, err
	}
	return t, nil
}

// Render makes the message text of one order.
func Render(t *template.Template, o Order) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, o); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Message is one notification to send.
type Message struct {
	Text  string
	Order Order
}

// Sender delivers one message, making exactly one request per call.
type Sender interface {
	// Channel names the sender in logs and tables: "telegram", "webhook".
	Channel() string
	Send(ctx context.Context, m Message) error
}

// Error is a failed send. Temporary failures (timeouts, 5xx, 429) are worth
// another attempt; RetryAfter is the wait the receiver asked for.
type Error struct {
	Channel    string
	Status     int // HTTP status; 0 when no answer came
	Temporary  bool
	RetryAfter time.Duration
	Msg        string
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: HTTP %d: %s", e.Channel, e.Status, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Channel, e.Msg)
}

// Retry is how Deliver repeats a failed send.
type Retry struct {
	Attempts int           // sends at most; default 5
	Backoff  time.Duration // first wait, doubled each time; default 2s
	MaxWait  time.Duration // longest wait; default 1m
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Backoff <= 0 {
		r.Backoff = 2 * time.Second
	}
	if r.MaxWait <= 0 {
		r.MaxWait = time.Minute
	}
	return r
}

// Deliver sends m, again after temporary failures, waiting longer each time
// and at least as long as the receiver asked (Telegram's retry_after). It
// returns how many sends were made and the last error. A send whose answer
// was lost is sent again: the receiver may then show the message twice.
func Deliver(ctx context.Context, s Sender, m Message, r Retry) (attempts int, err error) {
	r = r.withDefaults()
	p := retry.Policy{Attempts: r.Attempts, Wait: r.Backoff, MaxWait: r.MaxWait}
	return p.Do(ctx, func(int) error {
		err := s.Send(ctx, m)
		var se *Error
		if err == nil || !errors.As(err, &se) || !se.Temporary {
			return retry.Permanent(err)
		}
		return retry.After(se.RetryAfter, err)
	})
}
