package reports

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// ContentType is the media type of an .xlsx workbook.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Handler serves GET /reports/{expenses|orders|royalties}?month=2026-11&store=ID
// (store repeatable; month defaults to the current one) as a download. The
// workbook is built before the answer starts, so a failed query is a 500;
// then it is streamed to the client without being held in memory.
func Handler(wh *clickhouse.Warehouse) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /reports/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		build, ok := builders[name]
		if !ok {
			http.Error(w, "unknown report "+name+"; reports: "+strings.Join(Names(), ", "), http.StatusNotFound)
			return
		}
		p := Params{Month: MonthOf(time.Now()), Stores: r.URL.Query()["store"]}
		if m := r.URL.Query().Get("month"); m != "" {
			month, err := ParseMonth(m)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			p.Month = month
		}
		b, err := render(r.Context(), build, wh, p)
		if err != nil {
			slog.Error("report failed", "report", name, "month", p.Month.Format("2006-01"), "err", err)
			http.Error(w, "the report failed; see the server log", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+FileName(name, p.Month)+`"`)
		if err := b.write(w); err != nil {
			// The answer has started: all that is left is to log it.
			slog.Error("report not sent", "report", name, "err", err)
		}
	})
	return mux
}
