package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kramar/kramar/pipeline/notify"
)

// Notify says where a store's new orders are announced; off unless a
// channel is set.
type Notify struct {
	Telegram TelegramNotify `yaml:"telegram"`
	Webhook  WebhookNotify  `yaml:"webhook"`
	// MaxAge: orders created longer ago than this are not announced, so a
	// store's first load or a released old hold does not flood the chat;
	// default 24h.
	MaxAge Duration `yaml:"max_age"`
}

// TelegramNotify sends through a Telegram bot.
type TelegramNotify struct {
	// BotTokenEnv / BotTokenFile hold the bot's token, like token_env and
	// token_file: the token itself never sits in the config.
	BotTokenEnv  string `yaml:"bot_token_env"`
	BotTokenFile string `yaml:"bot_token_file"`
	// ChatID is the chat, group or @channel to write to.
	ChatID string `yaml:"chat_id"`
	// Template is a Go text/template over the order (see notify.Order);
	// empty means notify.DefaultTemplate.
	Template string `yaml:"template"`
	// APIURL is the Bot API's address; default https://api.telegram.org.
	APIURL string `yaml:"api_url"`
}

// WebhookNotify posts JSON {"text", "order"} to a URL.
type WebhookNotify struct {
	// URL, or URLEnv naming an environment variable holding it: a URL with
	// a key in it is a secret and is never shown.
	URL      string `yaml:"url"`
	URLEnv   string `yaml:"url_env"`
	Template string `yaml:"template"`
}

// DefaultNotifyMaxAge is notify.max_age when not set.
const DefaultNotifyMaxAge = 24 * time.Hour

// Enabled tells whether the store announces new orders anywhere.
func (n Notify) Enabled() bool { return n.Telegram.enabled() || n.Webhook.enabled() }

// Age is how old an order may be and still be announced.
func (n Notify) Age() Duration {
	if n.MaxAge.Duration <= 0 {
		return Duration{DefaultNotifyMaxAge}
	}
	return n.MaxAge
}

func (t TelegramNotify) enabled() bool {
	return t.BotTokenEnv != "" || t.BotTokenFile != "" || t.ChatID != ""
}

func (w WebhookNotify) enabled() bool { return w.URL != "" || w.URLEnv != "" }

func (t TelegramNotify) tokenSource() secretSource {
	return secretSource{"bot token", "bot_token_env", "bot_token_file", t.BotTokenEnv, t.BotTokenFile, "TELEGRAM_BOT_TOKEN"}
}

// BotToken reads the store's Telegram bot token (Load has taken a relative
// bot_token_file from the config file's folder). The error never shows the
// token.
func (s Store) BotToken() (string, error) { return s.Notify.Telegram.tokenSource().readFor(s.ID) }

// WebhookURL reads the store's webhook address from url or url_env.
func (s Store) WebhookURL() (string, error) {
	w := s.Notify.Webhook
	if w.URLEnv == "" {
		return w.URL, nil
	}
	v := strings.TrimSpace(os.Getenv(w.URLEnv))
	if v == "" {
		return "", fmt.Errorf("store %q: environment variable %s is not set or empty", s.ID, w.URLEnv)
	}
	return v, nil
}

// notify checks the store's notifications; neither a token nor a webhook
// address is ever quoted back.
func (v validator) notify(p string, s Store) {
	n := s.Notify
	p += ".notify"
	if v.d.present(p+".max_age") && n.MaxAge.Duration <= 0 {
		v.problem(p+".max_age", "must be more than 0")
	}
	if t := n.Telegram; t.enabled() {
		tp := p + ".telegram"
		v.secret(tp, t.tokenSource())
		if strings.TrimSpace(t.ChatID) == "" {
			v.problem(tp+".chat_id", "is required: the chat, group or @channel the bot writes to")
		}
		v.template(tp+".template", t.Template)
		if t.APIURL != "" {
			if u, err := url.Parse(t.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				v.problem(tp+".api_url", "must be an http(s) address like %s", notify.TelegramAPI)
			}
		}
	}
	if w := n.Webhook; w.enabled() {
		wp := p + ".webhook"
		switch {
		case w.URL != "" && w.URLEnv != "":
			v.problem(wp+".url_env", "set only one of url and url_env")
		case w.URLEnv != "" && !envNamePattern.MatchString(w.URLEnv):
			v.problem(wp+".url_env", "must be the name of an environment variable (like ORDERS_WEBHOOK_URL), not the URL itself")
		default:
			addr, err := s.WebhookURL()
			if err != nil {
				v.problem(wp+".url_env", "environment variable %s is not set or empty", w.URLEnv)
				break
			}
			if u, err := url.Parse(addr); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				v.problem(wp+".url", "must be an http(s) address (the value is not shown: it may hold a key)")
			}
		}
		v.template(wp+".template", w.Template)
	}
}

func (v validator) template(p, text string) {
	if _, err := notify.Parse(text); err != nil {
		v.problem(p, "not a usable template: %v", err)
	}
}
