package notify

import (
	"context"
	"net/http"
)

// Webhook posts every message as JSON {"text": …, "order": {…}} to a URL.
// The URL may hold a key: it is never shown.
type Webhook struct {
	URL    string
	Client *http.Client
}

// Channel implements Sender.
func (*Webhook) Channel() string { return "webhook" }

// webhookBody is what the webhook receives.
type webhookBody struct {
	Text  string `json:"text"`
	Order Order  `json:"order"`
}

// Send implements Sender: one POST; any 2xx answer is success.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	ans, err := postJSON(ctx, w.Client, w.Channel(), w.URL, webhookBody{Text: m.Text, Order: m.Order})
	if err != nil {
		return err
	}
	if ans.status/100 == 2 {
		return nil
	}
	return statusError(w.Channel(), ans.status, ans.header, scrub(short(ans.body), w.URL))
}
