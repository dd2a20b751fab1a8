package kit

import (
	"context"
	"net/http"
)

// reqInfo is shared by the middlewares of one request: auth writes the store
// id, faults write the decision, and the recorder (outermost) reads the store
// id after the handler returned, which a plain context value could not give it.
type reqInfo struct {
	store string
	fault Kind
	shift int
	// handled is the status the marketplace's own handler answered, when
	// the fault layer ran it (0 = a fault answered in its place).
	handled    int
	handledSet bool
}

type infoKey struct{}

// withInfo returns r carrying a reqInfo, reusing one an outer middleware set.
func withInfo(r *http.Request) (*http.Request, *reqInfo) {
	if in, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return r, in
	}
	in := &reqInfo{}
	return r.WithContext(context.WithValue(r.Context(), infoKey{}, in)), in
}

func infoFrom(ctx context.Context) *reqInfo {
	in, _ := ctx.Value(infoKey{}).(*reqInfo)
	return in
}

// StoreFrom returns the store id that auth resolved for this request ("" if none).
func StoreFrom(ctx context.Context) string {
	if in := infoFrom(ctx); in != nil {
		return in.store
	}
	return ""
}

// FaultFrom returns the fault chosen for this request; list handlers apply
// DuplicatePage and ShiftPage themselves.
func FaultFrom(ctx context.Context) Kind {
	if in := infoFrom(ctx); in != nil {
		return in.fault
	}
	return None
}

// ShiftFrom returns how many already-seen items a ShiftPage fault should
// repeat at the start of the page (1..5, drawn from the fault seed).
func ShiftFrom(ctx context.Context) int {
	if in := infoFrom(ctx); in != nil && in.shift > 0 {
		return in.shift
	}
	return 1
}
