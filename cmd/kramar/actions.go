package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/console"
	"github.com/kramar/kramar/pipeline/console/look"
)

// What ops may do from the console, each recorded in console_actions:
// run a store's job now (through the scheduler, so never twice at once and,
// with coordination, only on the worker holding the store), and load a
// past window of its orders, whose progress /actions shows.
const (
	actionRun      = "run"
	actionBackfill = "backfill"
)

// backfillRun is one backfill started from the console.
type backfillRun struct {
	User, Store, Window string
	Started             time.Time
	Progress            pipeline.BackfillProgress
	Finished            bool
	Status, Error       string
}

// backfills are the console's backfills of this process, the newest first.
type backfills struct {
	mu   sync.Mutex
	runs []*backfillRun
}

func (b *backfills) add(r *backfillRun) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.runs = append([]*backfillRun{r}, b.runs...)
	if len(b.runs) > 20 {
		b.runs = b.runs[:20]
	}
}

func (b *backfills) update(r *backfillRun, f func(*backfillRun)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(r)
}

// snapshot copies the runs, and says whether any is still going.
func (b *backfills) snapshot() ([]backfillRun, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]backfillRun, len(b.runs))
	going := false
	for i, r := range b.runs {
		out[i] = *r
		going = going || !r.Finished
	}
	return out, going
}

// actionRoutes are the ops actions and their page.
func (d *daemon) actionRoutes() []console.Route {
	ops := []console.Role{console.Ops}
	return []console.Route{
		{Pattern: "POST /stores/{id}/run", Roles: ops, Handler: http.HandlerFunc(d.runNow)},
		{Pattern: "POST /stores/{id}/backfill", Roles: ops, Handler: http.HandlerFunc(d.startBackfill)},
		{Pattern: "POST /stores/{id}/matches", Roles: ops, Handler: http.HandlerFunc(d.setMatch)},
		{Pattern: "GET /actions", Roles: ops, Handler: http.HandlerFunc(d.actionsPage)},
	}
}

// act records what a user asked for and how it went, then shows /actions.
func (d *daemon) act(w http.ResponseWriter, r *http.Request, a clickhouse.Action) {
	d.record(r, a)
	http.Redirect(w, r, "/actions", http.StatusSeeOther)
}

// record writes a console action to console_actions and the log.
func (d *daemon) record(r *http.Request, a clickhouse.Action) {
	v, _ := console.ViewerFrom(r.Context())
	a.At, a.User, a.Role = time.Now().UTC().Truncate(time.Second), v.Name, string(v.Role)
	if a.User == "" {
		a.User = "local" // no web.users: the console is this machine's only
	}
	if err := d.o.WH.RecordAction(context.WithoutCancel(r.Context()), a); err != nil {
		d.o.Log.Error("recording a console action failed", "action", a.Action, "store", a.Store, "error", err)
	}
	d.o.Log.Info("console action", "user", a.User, "action", a.Action, "store", a.Store, "detail", a.Detail, "outcome", a.Outcome, "message", a.Message)
}

// actionStore is the store an action's path names, or a 404.
func (d *daemon) actionStore(w http.ResponseWriter, r *http.Request) (*config.Store, bool) {
	st, ok := d.runner.Load().Config.Store(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
	}
	return st, ok
}

func (d *daemon) runNow(w http.ResponseWriter, r *http.Request) {
	st, ok := d.actionStore(w, r)
	if !ok {
		return
	}
	job := r.FormValue("job")
	if job == "" {
		job = pipeline.JobOrders
	}
	a := clickhouse.Action{Action: actionRun, Marketplace: st.Marketplace, Store: st.ID, Detail: job, Outcome: "started"}
	sched := d.sched.Load()
	switch {
	case !slices.Contains(pipeline.Jobs, job):
		a.Outcome, a.Message = "refused", fmt.Sprintf("no job %q", job)
	case d.coord != nil && !slices.Contains(d.coord.Held(), st.ID):
		a.Outcome, a.Message = "refused", "another worker runs this store now; ask its console"
	case sched == nil:
		a.Outcome, a.Message = "refused", "the scheduler has not started yet"
	default:
		if err := sched.RunNow(job, st.ID); err != nil {
			a.Outcome, a.Message = "refused", err.Error()
		} else {
			a.Message = "the run's record appears on the store's page when it ends"
		}
	}
	d.act(w, r, a)
}

func (d *daemon) startBackfill(w http.ResponseWriter, r *http.Request) {
	st, ok := d.actionStore(w, r)
	if !ok {
		return
	}
	a := clickhouse.Action{Action: actionBackfill, Marketplace: st.Marketplace, Store: st.ID,
		Detail: r.FormValue("from") + ".." + r.FormValue("to"), Outcome: "started"}
	from, err := parseDay(r.FormValue("from"), false)
	if err == nil {
		var to time.Time
		if to, err = parseDay(r.FormValue("to"), true); err == nil {
			b := pipeline.Backfill{Store: st.ID, From: from, To: to}
			v, _ := console.ViewerFrom(r.Context())
			run := &backfillRun{User: v.Name, Store: st.ID, Window: b.Key(), Started: time.Now().UTC()}
			b.Progress = func(p pipeline.BackfillProgress) { d.backfills.update(run, func(r *backfillRun) { r.Progress = p }) }
			if b.To.Before(b.From) {
				err = fmt.Errorf("the window ends before it starts")
			} else {
				d.backfills.add(run)
				go d.backfill(run, b)
				a.Message = "progress on this page"
			}
		}
	}
	if err != nil {
		a.Outcome, a.Message = "refused", "from/to: "+err.Error()
	}
	d.act(w, r, a)
}

// backfill runs one console backfill until it ends or serve stops (it
// resumes from its last slice when started again).
func (d *daemon) backfill(run *backfillRun, b pipeline.Backfill) {
	res, err := d.runner.Load().BackfillOrders(d.stopping, b)
	d.backfills.update(run, func(r *backfillRun) {
		r.Finished, r.Status = true, res.Status
		switch {
		case err != nil:
			r.Status, r.Error = "failed", err.Error()
		case res.Err != nil:
			r.Error = res.Err.Error()
		}
	})
}

// actionsPage lists the backfills this daemon runs and the actions taken
// from the console; it reloads itself while a backfill goes on.
var actionsPage = look.MustParseText("actions", `{{define "content"}}
<h1>Дії</h1>
<h2>Завантаження історії</h2>
{{if .Backfills}}<div class="scroll"><table><tr><th>Магазин</th><th>Вікно</th><th>Хто</th><th>Почато (UTC)</th><th>Хід</th><th>Замовлень</th><th>Стан</th></tr>
{{range .Backfills}}<tr><td><a href="/stores/{{.Store}}">{{.Store}}</a></td><td>{{.Window}}</td><td>{{.User}}</td><td class="t">{{.Started.Format "2006-01-02 15:04:05"}}</td>
<td><progress max="{{.Progress.Slices}}" value="{{.Progress.Done}}"></progress> {{.Progress.Done}} / {{.Progress.Slices}}</td><td class="n">{{.Progress.Fetched}}</td>
<td>{{if .Finished}}{{.Status}}{{if .Error}}: {{.Error}}{{end}}{{else}}іде{{end}}</td></tr>{{end}}</table></div>
{{else}}<p>Немає.</p>{{end}}
<h2>Останні дії</h2>
{{if .Actions}}<div class="scroll"><table><tr><th>Коли (UTC)</th><th>Хто</th><th>Дія</th><th>Магазин</th><th>Що</th><th>Як</th><th></th></tr>
{{range .Actions}}<tr><td class="t">{{.At.Format "2006-01-02 15:04:05"}}</td><td>{{.User}}</td><td>{{.Action}}</td><td>{{.Store}}</td><td class="err">{{.Detail}}</td>
<td{{if eq .Outcome "refused"}} class="bad"{{end}}>{{.Outcome}}</td><td class="err">{{.Message}}</td></tr>{{end}}</table></div>
{{else}}<p>Ще нічого.</p>{{end}}
{{end}}`)

func (d *daemon) actionsPage(w http.ResponseWriter, r *http.Request) {
	actions, err := d.o.WH.RecentActions(r.Context(), 50)
	if err != nil {
		d.o.Log.Error("console: reading the actions failed", "error", err)
		http.Error(w, "the warehouse did not answer; try again", http.StatusServiceUnavailable)
		return
	}
	runs, going := d.backfills.snapshot() // the newest first
	v, _ := console.ViewerFrom(r.Context())
	frame := v.Frame("Дії", "actions")
	frame.Now = time.Now().UTC()
	if going {
		frame.Reload = 2
	}
	look.Render(w, http.StatusOK, actionsPage, struct {
		look.Frame
		Backfills []backfillRun
		Actions   []clickhouse.Action
	}{frame, runs, actions})
}
