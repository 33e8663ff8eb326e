package api

import (
	"fmt"
	"testing"

	"globaloffice/indicators"
)

// TestCellOfBreak: a change and whether it is better, except across a
// change of definition, where neither is given.
func TestCellOfBreak(t *testing.T) {
	f := func(direction string, value, previous float64, brk bool, want string) {
		t.Helper()
		d := &indicators.Definition{ID: "x", Direction: direction}
		r := indicators.Result{Indicator: "x", Value: &value, Previous: &previous, PreviousBreak: brk, Version: 2}
		c := cellOf(d, r)
		got := "none"
		if c.Change != nil && c.Better != nil {
			got = fmt.Sprintf("%v %v", *c.Change, *c.Better)
		} else if c.Change != nil || c.Better != nil {
			got = "half"
		}
		if got != want || c.PreviousBreak != brk || c.Version != 2 {
			t.Errorf("%s %v after %v, break %v: %s (break %v, version %d), want %s", direction, value, previous, brk, got, c.PreviousBreak, c.Version, want)
		}
	}
	f("higher", 100, 80, false, "20 true")
	f("lower", 100, 80, false, "20 false")
	f("lower", 70, 80, false, "-10 true")
	f("higher", 100, 80, true, "none") // previous under another definition
	f("lower", 70, 80, true, "none")
}
