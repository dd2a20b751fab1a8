package marketplace

import "testing"

func TestSatisfiedAndCheckTransition(t *testing.T) {
	shipped := Action{Kind: "status+ttn", Change: Change{Status: "2", TTN: "20450012345678"}, Expect: "61"}
	cases := []struct {
		name      string
		st        State
		a         Action
		satisfied bool
		refused   bool
	}{
		{"status reached", State{Status: "received"}, Action{Change: Change{Status: "received"}}, true, false},
		{"status not yet", State{Status: "pending", Allowed: []string{"received"}}, Action{Change: Change{Status: "received"}}, false, false},
		{"not in the graph", State{Status: "1", Allowed: []string{"26", "2"}}, Action{Change: Change{Status: "6"}}, false, true},
		{"nothing allowed", State{Status: "6", Allowed: []string{}}, Action{Change: Change{Status: "26"}}, false, true},
		{"graph unknown", State{Status: "pending"}, Action{Change: Change{Status: "whatever"}}, false, false},
		{"2 with a ТТН lands in 61", State{Status: "61", TTN: "2045 0012 3456 78"}, shipped, true, false},
		{"61 without the ТТН", State{Status: "61"}, shipped, false, false},
		{"ТТН only, printed with spaces", State{Status: "3", TTN: "ra 067022878 ua"}, Action{Change: Change{TTN: "RA067022878UA"}}, true, false},
	}
	for _, c := range cases {
		if got := Satisfied(c.st, c.a); got != c.satisfied {
			t.Errorf("%s: Satisfied = %v", c.name, got)
		}
		err := CheckTransition(c.st, c.a)
		if _, refused := IsRejected(err); refused != c.refused || (err != nil) != c.refused {
			t.Errorf("%s: CheckTransition = %v", c.name, err)
		}
	}
}
