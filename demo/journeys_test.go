package demo

import (
	"sort"
	"testing"
	"time"
)

// TestJourneysPlausible: on the sample data set, read back from the files,
// the journeys come out as a global office's would: some files opened by a
// contact that the file names, calls chasing open files, follow-ups mostly
// on the same motive, and segments in their shares.
func TestJourneysPlausible(t *testing.T) {
	_, ds := loadSample(t)
	ids := map[string]bool{}
	byUser := map[string][]readContact{}
	var chasing, withSegment, served, resolved int
	for _, c := range ds.contacts {
		ids[c.id] = true
		if c.caseID != "" {
			chasing++
			if c.motive != chaseMotive || c.channel != "phone" {
				t.Errorf("contact %s chases %s on %s about %q, want a call about %q", c.id, c.caseID, c.channel, c.motive, chaseMotive)
			}
		}
		if c.segment != "" {
			withSegment++
		}
		if c.user != "" {
			byUser[c.user] = append(byUser[c.user], c)
		}
	}
	// First-contact resolution as the catalog defines it, here by hand:
	// a served contact with no contact of the same user on the same motive
	// within 7 × 24 h after it.
	for _, cs := range byUser {
		sort.Slice(cs, func(i, j int) bool { return cs[i].arrived.Before(cs[j].arrived) })
		for i, c := range cs {
			if c.outcome != "served" && c.outcome != "transferred" {
				continue
			}
			served++
			again := false
			for _, d := range cs[i+1:] {
				if d.arrived.Sub(c.arrived) > 7*24*time.Hour {
					break
				}
				if d.arrived.After(c.arrived) && d.motive == c.motive {
					again = true
					break
				}
			}
			if !again {
				resolved++
			}
		}
	}
	var opened, openedKnown int
	caseIDs := map[string]bool{}
	for _, c := range ds.cases {
		caseIDs[c.id] = true
		if c.origin != "" {
			opened++
			if ids[c.origin] {
				openedKnown++
			}
		}
	}
	n, nc := float64(len(ds.contacts)), float64(len(ds.cases))
	fcr := float64(resolved) / float64(served)
	t.Logf("%d contacts: %.1f%% chase a case, %.1f%% carry a segment; %d case versions: %.1f%% name their opening contact; first-contact resolution %.1f%%",
		len(ds.contacts), 100*float64(chasing)/n, 100*float64(withSegment)/n, len(ds.cases), 100*float64(opened)/nc, 100*fcr)
	for _, c := range ds.contacts {
		if c.caseID != "" && !caseIDs[c.caseID] {
			// A chased case is written with its versions; it may fall
			// after the sample's end only if the call does too.
			t.Errorf("contact %s chases %s, a case not in the data", c.id, c.caseID)
			break
		}
	}
	switch {
	// E-mail and letter replies name the message they answer; about an
	// eighth of the other files name the visit or call that opened them.
	case opened == 0 || float64(opened)/nc < 0.1 || float64(opened)/nc > 0.6:
		t.Errorf("%d of %d case versions name their opening contact, want 10–60%%", opened, len(ds.cases))
	case float64(openedKnown) < 0.95*float64(opened):
		t.Errorf("%d of %d opening contacts are in the data, want nearly all", openedKnown, opened)
	case chasing == 0 || float64(chasing)/n > 0.1:
		t.Errorf("%d chasing contacts of %d, want some, under 10%%", chasing, len(ds.contacts))
	case float64(withSegment)/n < 0.15 || float64(withSegment)/n > 0.45:
		t.Errorf("%.2f of contacts carry a segment, want 15–45%%", float64(withSegment)/n)
	case fcr < 0.6 || fcr > 0.97:
		t.Errorf("first-contact resolution %.3f, want 60–97%%", fcr)
	}
}
