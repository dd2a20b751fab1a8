package kit

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Mutation changes JSON answers of a sandbox into a shape its wire model
// does not expect, for tests of kramar's drift check and probe: Path is a
// dotted path into the answer where "[]" stands for every item of an array
// ("orders[].products[].price"); the value there is replaced by Set, or
// removed when Delete is true, or renamed to Rename. Only answers whose
// request path contains Route (all when empty) are changed.
type Mutation struct {
	Route  string
	Path   string
	Set    any
	Delete bool
	Rename string
}

// Mutate serves h's answers with the mutations applied. Answers that are not
// JSON objects or arrays pass unchanged.
func Mutate(h http.Handler, muts ...Mutation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var doc any
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Unmarshal(body, &doc) == nil {
			changed := false
			for _, m := range muts {
				if m.Route == "" || strings.Contains(r.URL.Path, m.Route) {
					doc = m.apply(doc, strings.Split(m.Path, "."))
					changed = true
				}
			}
			if changed {
				body, _ = json.Marshal(doc)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

func (m Mutation) apply(v any, path []string) any {
	if len(path) == 0 {
		return v
	}
	key, each := strings.CutSuffix(path[0], "[]")
	if key == "" && each { // the answer itself is the array
		if arr, ok := v.([]any); ok {
			for i := range arr {
				arr[i] = m.apply(arr[i], path[1:])
			}
		}
		return v
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return v
	}
	child, ok := obj[key]
	if !ok && !(len(path) == 1 && !each && m.Set != nil) {
		return v
	}
	switch {
	case each:
		if arr, ok := child.([]any); ok {
			for i := range arr {
				if len(path) == 1 {
					arr[i] = m.Set
				} else {
					arr[i] = m.apply(arr[i], path[1:])
				}
			}
		}
	case len(path) > 1:
		obj[key] = m.apply(child, path[1:])
	case m.Delete:
		delete(obj, key)
	case m.Rename != "":
		delete(obj, key)
		obj[m.Rename] = child
	default:
		obj[key] = m.Set
	}
	return obj
}
