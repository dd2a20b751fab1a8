package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// TelegramAPI is the Bot API's address.
const TelegramAPI = "https://api.telegram.org"

// Telegram sends messages to one chat through the Bot API's sendMessage.
// The Bot API has no idempotency key: a send whose answer was lost and is
// sent again shows twice in the chat.
type Telegram struct {
	APIURL string // default TelegramAPI; a local fake in tests
	Token  string // the bot's token: a secret, never shown
	ChatID string // numeric id or @channel
	Client *http.Client
}

// Channel implements Sender.
func (*Telegram) Channel() string { return "telegram" }

// telegramAnswer is the Bot API's envelope.
type telegramAnswer struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// Send implements Sender: one POST /bot<token>/sendMessage.
func (t *Telegram) Send(ctx context.Context, m Message) error {
	base := strings.TrimRight(t.APIURL, "/")
	if base == "" {
		base = TelegramAPI
	}
	addr := base + "/bot" + t.Token + "/sendMessage"
	ans, err := postJSON(ctx, t.Client, t.Channel(), addr, map[string]string{"chat_id": t.ChatID, "text": m.Text})
	if err != nil {
		return err
	}
	var a telegramAnswer
	jsonErr := json.Unmarshal(ans.body, &a)
	if ans.status/100 == 2 && jsonErr == nil && a.OK {
		return nil
	}
	msg := a.Description
	if jsonErr != nil || msg == "" {
		msg = short(ans.body)
	}
	e := statusError(t.Channel(), ans.status, ans.header, strings.ReplaceAll(msg, t.Token, "<token>"))
	if ans.status/100 == 2 {
		e.Temporary = true // a 200 that is not the Bot API's answer: a proxy in the way
	}
	// Telegram says how long to wait in the body, not in a header.
	if a.Parameters.RetryAfter > 0 {
		e.RetryAfter = time.Duration(a.Parameters.RetryAfter) * time.Second
	}
	return e
}
