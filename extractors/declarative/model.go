package declarative

import (
	"reflect"

	"github.com/kramar/kramar/extractors/drift"
)

// Endpoint names the order list call, as drift reports name it.
func (s *Spec) Endpoint() string {
	m := s.Orders.Request.Method
	if m == "" {
		m = "GET"
	}
	return m + " " + s.Orders.Request.Path
}

// WireModel is the drift model of one order as the spec reads it: every
// path of fields and items, leaves of any scalar type (formats read text,
// numbers and flags alike). A spec names only what it reads, so keys it
// does not name are not reported; the order id, the amount and the
// creation time are required.
func (s *Spec) WireModel() *drift.Model {
	root := &drift.Node{Type: drift.Object, Partial: true, Fields: map[string]*drift.Field{}}
	// What each required field takes: ids and money are text or numbers,
	// times text unless the spec reads Unix numbers.
	timeTypes := strOrNum
	if !s.Formats.Time.Numeric() {
		timeTypes = 1 << drift.String
	}
	required := map[string]uint8{"ExternalID": strOrNum, "Amount": strOrNum, "CreatedAt": timeTypes}
	add := func(under *drift.Node, p Path, accepts uint8) {
		if !p.IsSet() || p.IsRoot() {
			return
		}
		addPath(under, p.steps, accepts)
	}
	add(root, s.Orders.ID, strOrNum)
	fields := reflect.ValueOf(s.Fields)
	for i := 0; i < fields.NumField(); i++ {
		if p, ok := fields.Field(i).Interface().(Path); ok {
			add(root, p, required[fields.Type().Field(i).Name])
		}
	}
	if s.Items.Path.IsSet() && !s.Items.Path.IsRoot() {
		line := &drift.Node{Type: drift.Object, Partial: true, Nullable: true, Fields: map[string]*drift.Field{}}
		list := &drift.Node{Type: drift.Array, Nullable: true, Elem: line}
		attach(root, s.Items.Path.steps, list)
		items := reflect.ValueOf(s.Items.Fields)
		for i := 0; i < items.NumField(); i++ {
			if p, ok := items.Field(i).Interface().(Path); ok {
				var accepts uint8
				switch items.Type().Field(i).Name {
				case "Price", "Quantity", "Total":
					accepts = strOrNum
				}
				add(line, p, accepts)
			}
		}
	}
	return drift.NewModel(root)
}

// scalar takes what a spec's formats read: text, numbers, flags.
const (
	scalar   = uint8(1<<drift.String | 1<<drift.Number | 1<<drift.Bool | 1<<drift.Null)
	strOrNum = uint8(1<<drift.String | 1<<drift.Number)
)

// addPath puts a leaf at steps; required (accepts ≠ 0) leaves take only
// the JSON types accepts names.
func addPath(n *drift.Node, steps []step, accepts uint8) {
	leaf := &drift.Node{Type: drift.String, Accepts: scalar, Nullable: true}
	if accepts != 0 {
		leaf = &drift.Node{Type: drift.String, Accepts: accepts}
		if accepts&(1<<drift.String) == 0 {
			leaf.Type = drift.Number
		}
	}
	attach(n, steps, leaf)
	if f := fieldAt(n, steps); f != nil && accepts != 0 {
		f.Required = true
		f.Optional = false
	}
}

// attach puts leaf at steps below n, making the objects and arrays on the way.
func attach(n *drift.Node, steps []step, leaf *drift.Node) {
	for i, st := range steps {
		last := i == len(steps)-1
		if st.isIdx {
			if n.Type != drift.Array {
				return // the spec indexes something it also keys: leave it
			}
			if last {
				n.Elem = leaf
				return
			}
			if n.Elem == nil {
				n.Elem = &drift.Node{Type: drift.Object, Partial: true, Nullable: true, Fields: map[string]*drift.Field{}}
			}
			n = n.Elem
			continue
		}
		if n.Type != drift.Object || n.Fields == nil {
			return
		}
		f := n.Fields[st.key]
		if last {
			if f == nil {
				n.Fields[st.key] = &drift.Field{Node: leaf, Optional: true}
			}
			return
		}
		if f == nil {
			next := &drift.Node{Type: drift.Object, Partial: true, Nullable: true, Fields: map[string]*drift.Field{}}
			if steps[i+1].isIdx {
				next = &drift.Node{Type: drift.Array, Nullable: true}
			}
			f = &drift.Field{Node: next, Optional: true}
			n.Fields[st.key] = f
		}
		n = f.Node
	}
}

func fieldAt(n *drift.Node, steps []step) *drift.Field {
	var f *drift.Field
	for _, st := range steps {
		switch {
		case st.isIdx && n.Type == drift.Array && n.Elem != nil:
			n = n.Elem
		case !st.isIdx && n.Fields != nil && n.Fields[st.key] != nil:
			f = n.Fields[st.key]
			n = f.Node
		default:
			return nil
		}
	}
	return f
}
