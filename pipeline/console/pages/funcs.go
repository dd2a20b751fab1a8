package pages

import (
	"fmt"
	"html/template"
	"time"

	"github.com/kramar/kramar/pipeline/console/look"
	"github.com/shopspring/decimal"
)

// funcs are the templates' helpers: words for codes, and times, lags and
// money as people read them. Each returns plain text; the template escapes it.
var funcs = template.FuncMap{
	"when":   look.When,
	"lag":    lag,
	"ms":     millis,
	"money":  func(d decimal.Decimal) string { return d.StringFixed(2) },
	"state":  wordOf(stateWords),
	"status": wordOf(statusWords),
	"job":    wordOf(jobWords),
	"kind":   wordOf(kindWords),
	"push":   wordOf(pushWords),
	"add":    func(a, b int) int { return a + b },
}

// lag is a duration in the largest two units: «3 год 5 хв».
func lag(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1 хв"
	case d < time.Hour:
		return fmt.Sprintf("%d хв", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d год %d хв", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d дн %d год", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// millis is a run's duration: «850 мс», «12.3 с», «4 хв 5 с».
func millis(ms uint64) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%d мс", ms)
	case ms < 60_000:
		return fmt.Sprintf("%.1f с", float64(ms)/1000)
	}
	return fmt.Sprintf("%d хв %d с", ms/60_000, ms%60_000/1000)
}

func wordOf(words map[string]string) func(string) string {
	return func(code string) string {
		if w, ok := words[code]; ok {
			return w
		}
		return code
	}
}

var (
	stateWords = map[string]string{stateOK: "працює", stateFailing: "збій", stateNeverRun: "ще не запускався"}
	// statusWords are the run statuses of pipeline_runs.
	statusWords = map[string]string{
		"ok":           "успішно",
		"not_modified": "без змін",
		"failed":       "помилка",
		"auth_failed":  "доступ відхилено (токен або пароль)",
		"rate_limited": "маркетплейс обмежив запити",
		"partial":      "частково",
	}
	jobWords = map[string]string{
		"orders":    "замовлення",
		"catalog":   "каталог",
		"reference": "довідники",
		"push":      "відправка на маркетплейс",
		"backfill":  "дозавантаження",
		"expenses":  "витрати",
	}
	kindWords = map[string]string{"status": "статус", "delivery": "доставка", "payment": "оплата"}
	pushWords = map[string]string{"failed": "не вдалося", "rejected": "відхилено маркетплейсом"}
)
