package demo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // overseas site zones resolve without system tzdata

	"globaloffice/model"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func siteMap(t testing.TB) map[string]model.Site {
	t.Helper()
	sites, err := Sites()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]model.Site{}
	for _, s := range sites {
		m[s.ID] = s
	}
	return m
}

// sample is one small data set shared by the contract and plausibility
// tests: Scale 0.25 from 15 December 2025 to 1 May 2026 (about 50,000
// contacts), with the default bad and duplicate rates raised so that every
// kind of fault shows up.
var sample struct {
	once sync.Once
	dir  string
	sum  Summary
	ds   *dataset
	err  error
}

func loadSample(t *testing.T) (Summary, *dataset) {
	t.Helper()
	sample.once.Do(func() {
		sample.dir, sample.err = os.MkdirTemp("", "demo-sample-")
		if sample.err != nil {
			return
		}
		sample.sum, sample.err = Generate(context.Background(), sample.dir, Options{
			Seed: 42, From: date(2025, 12, 15), To: date(2026, 5, 1), Scale: 0.25,
			BadRate: 0.01, DupRate: 0.01,
		})
		if sample.err != nil {
			return
		}
		sample.ds, sample.err = readDataset(sample.dir, siteMap(t))
	})
	if sample.err != nil {
		t.Fatal(sample.err)
	}
	return sample.sum, sample.ds
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sample.dir != "" {
		os.RemoveAll(sample.dir)
	}
	os.Exit(code)
}

func TestSites(t *testing.T) {
	sites, err := Sites()
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 42 {
		t.Errorf("%d sample sites, want 42", len(sites))
	}
	zones := map[model.Zone]bool{}
	for _, s := range sites {
		zones[s.Zone] = true
	}
	if len(zones) != len(model.Zones) {
		t.Errorf("the sample sites cover %d zones, want all %d", len(zones), len(model.Zones))
	}
}

func TestDeterministic(t *testing.T) {
	opts := Options{Seed: 7, From: date(2026, 1, 20), To: date(2026, 3, 10), Scale: 0.1, BadRate: 0.01, DupRate: 0.01}
	a, b := t.TempDir(), t.TempDir()
	opts.Workers = 1
	sa, err := Generate(context.Background(), a, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Workers = 5
	sb, err := Generate(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Records() != sb.Records() || sa.Records() == 0 {
		t.Fatalf("records: %d and %d", sa.Records(), sb.Records())
	}
	want := []string{
		"cases/cases-2026-01.ndjson", "cases/cases-2026-02.ndjson", "cases/cases-2026-03.ndjson",
		"contacts/contacts-2026-01.csv", "contacts/contacts-2026-02.csv", "contacts/contacts-2026-03.csv",
		"surveys/surveys-2026-01.csv", "surveys/surveys-2026-02.csv", "surveys/surveys-2026-03.csv",
	}
	for i, w := range want {
		want[i] = filepath.Join(a, w)
	}
	if !slices.Equal(sa.Files, want) {
		t.Errorf("files %v, want %v", sa.Files, want)
	}
	for _, f := range sa.Files {
		rel, _ := filepath.Rel(a, f)
		x, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", rel)
		}
	}
	// Another seed gives other data.
	opts.Seed = 8
	c := t.TempDir()
	if _, err := Generate(context.Background(), c, opts); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(filepath.Join(a, "contacts/contacts-2026-02.csv"))
	y, _ := os.ReadFile(filepath.Join(c, "contacts/contacts-2026-02.csv"))
	if bytes.Equal(x, y) {
		t.Error("seeds 7 and 8 gave the same contacts")
	}
	if m, _ := filepath.Glob(filepath.Join(a, "*", "*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestHeaders(t *testing.T) {
	_, ds := loadSample(t)
	want := map[string]string{
		"contacts": "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team,asked_agent,case_id,segment",
		"surveys":  "id,source,site,channel,survey,mode,answered_at,contact_id,scale,score_overall,score_courtesy,score_clarity,score_delay,score_recommend,scale_recommend,comment",
	}
	if len(ds.headers) != 10 { // 5 months × 2 CSV files
		t.Errorf("%d CSV files, want 10", len(ds.headers))
	}
	for f, h := range ds.headers {
		if w := want[strings.SplitN(f, "-", 2)[0]]; h != w {
			t.Errorf("%s header %q, want %q", f, h, w)
		}
	}
	// Raw first line, byte for byte (no BOM, no quoting).
	raw, err := os.ReadFile(filepath.Join(sample.dir, "contacts", "contacts-2026-01.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte(want["contacts"]+"\n")) {
		t.Errorf("contacts file starts %q", raw[:min(len(raw), 120)])
	}
}

// Every record is either valid by the contract or one of the deliberate
// faults, and the counts agree with the summary.
func TestContract(t *testing.T) {
	sum, ds := loadSample(t)
	if int64(len(ds.bad)) != sum.Bad {
		n := min(len(ds.bad), 20)
		t.Errorf("%d invalid records, summary says %d; first ones:\n%s", len(ds.bad), sum.Bad, strings.Join(ds.bad[:n], "\n"))
	}
	if sum.Bad == 0 || sum.Duplicates == 0 {
		t.Errorf("no bad (%d) or duplicate (%d) records at raised rates", sum.Bad, sum.Duplicates)
	}
	if int64(ds.dups) != sum.Duplicates {
		t.Errorf("%d duplicates found, summary says %d", ds.dups, sum.Duplicates)
	}
	if int64(len(ds.contacts)) != sum.Contacts || int64(len(ds.cases)) != sum.CaseVersions || int64(len(ds.responses)) != sum.SurveyResponses {
		t.Errorf("read %d contacts, %d case versions, %d responses; summary %+v", len(ds.contacts), len(ds.cases), len(ds.responses), sum)
	}
	// Each kind of fault occurs.
	for _, reason := range []string{"id \"\"", "channel \"fax\"", "answered before arrived", "arrived_at", "outcome \"perdu\"",
		"id missing", "kind \"remboursement\"", "completed before received", "received_at", "status \"closed\"",
		"mode \"courrier\"", "answered_at", "scale \"1-7\"", "off scale"} {
		found := false
		for _, b := range ds.bad {
			if strings.Contains(b, reason) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no invalid record for %q", reason)
		}
	}

	// Contacts: ids unique per source with the source's prefix; survey
	// links point to written contacts on the rated channel.
	prefix := map[string]string{"qms": "T-", "acd": "A-", "crm": "M-"}
	contactChannel := map[string]string{}
	for _, c := range ds.contacts {
		if !strings.HasPrefix(c.id, prefix[c.source]) {
			t.Fatalf("contact %s of source %s", c.id, c.source)
		}
		contactChannel[c.id] = c.channel
	}
	linked := 0
	for _, p := range ds.responses {
		if p.contactID == "" {
			continue
		}
		linked++
		ch, ok := contactChannel[p.contactID]
		if !ok {
			t.Fatalf("response %s links to unknown contact %s", p.id, p.contactID)
		}
		if ch != p.channel {
			t.Fatalf("response %s rates %s, its contact is %s", p.id, p.channel, ch)
		}
	}
	if linked < len(ds.responses)/2 {
		t.Errorf("%d of %d responses linked to a contact, want most", linked, len(ds.responses))
	}

	// Cases: versions of one case agree, the first is open, the newest
	// wins and is never older than an earlier status.
	byID := map[string][]readCase{}
	for _, c := range ds.cases {
		byID[c.id] = append(byID[c.id], c)
	}
	if int64(len(byID)) != sum.Cases {
		t.Errorf("%d distinct cases, summary says %d", len(byID), sum.Cases)
	}
	absent, open := 0, 0
	for id, vs := range byID {
		slices.SortFunc(vs, func(a, b readCase) int { return a.updated.Compare(b.updated) })
		if vs[0].status != "open" {
			t.Fatalf("case %s: first version %s", id, vs[0].status)
		}
		for i, v := range vs {
			if v.received != vs[0].received || v.kind != vs[0].kind || v.site != vs[0].site || v.user != vs[0].user {
				t.Fatalf("case %s: versions disagree", id)
			}
			if i > 0 && vs[i-1].status != "open" {
				t.Fatalf("case %s: a version after %s", id, vs[i-1].status)
			}
			if v.completedAbsent {
				absent++
			}
		}
		if vs[len(vs)-1].status == "open" {
			open++
		}
	}
	if absent == 0 {
		t.Error("completed_at is never absent on open versions")
	}
	if open == 0 {
		t.Error("no case still open at the end of the range")
	}
}

func TestOptionErrors(t *testing.T) {
	dir := t.TempDir()
	bad := []Options{
		{},
		{From: date(2026, 2, 1), To: date(2026, 1, 1)},
		{From: date(2026, 1, 1), To: date(2026, 2, 1), Scale: -1},
		{From: date(2026, 1, 1), To: date(2026, 2, 1), BadRate: 0.9},
		{From: date(2026, 1, 1), To: date(2026, 2, 1), Sites: []model.Site{{ID: "X", Kind: "agency", Zone: "atlantis", Timezone: "Europe/Paris"}}},
		{From: date(2026, 1, 1), To: date(2026, 2, 1), Sites: []model.Site{}},
	}
	for i, o := range bad {
		if _, err := Generate(context.Background(), dir, o); !errors.Is(err, ErrOptions) {
			t.Errorf("options %d: error %v, want ErrOptions", i, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, dir, Options{From: date(2026, 1, 1), To: date(2026, 6, 1)}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
}

func TestProgressAndNoBadRecords(t *testing.T) {
	var months []string
	sum, err := Generate(context.Background(), t.TempDir(), Options{
		Seed: 3, From: date(2026, 3, 30), To: date(2026, 4, 3), Scale: 0.5, BadRate: -1, DupRate: -1,
		Progress: func(p Progress) {
			months = append(months, p.Month)
			if p.MonthsTotal != 2 || p.Records <= 0 {
				t.Errorf("progress %+v", p)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(months, []string{"2026-03", "2026-04"}) {
		t.Errorf("progress months %v", months)
	}
	if sum.Bad != 0 || sum.Duplicates != 0 {
		t.Errorf("negative rates: %d bad, %d duplicates", sum.Bad, sum.Duplicates)
	}
}

// The default volume: Scale 1 over one year.
func TestDefaultVolume(t *testing.T) {
	if testing.Short() {
		t.Skip("a full year")
	}
	sum, err := Generate(context.Background(), t.TempDir(), Options{Seed: 1, From: date(2026, 1, 1), To: date(2027, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one year at Scale 1: %d contacts, %d cases (%d versions), %d survey responses, %d bad, %d duplicates",
		sum.Contacts, sum.Cases, sum.CaseVersions, sum.SurveyResponses, sum.Bad, sum.Duplicates)
	check := func(name string, got, lo, hi int64) {
		if got < lo || got > hi {
			t.Errorf("%s: %d, want %d–%d", name, got, lo, hi)
		}
	}
	check("contacts", sum.Contacts, 425_000, 575_000)
	check("cases", sum.Cases, 125_000, 175_000)
	check("survey responses", sum.SurveyResponses, 32_000, 48_000)
	records := float64(sum.Contacts + sum.CaseVersions + sum.SurveyResponses)
	check("bad", sum.Bad, int64(records*DefaultBadRate*0.7), int64(records*DefaultBadRate*1.3))
	check("duplicates", sum.Duplicates, int64(records*DefaultDupRate*0.85), int64(records*DefaultDupRate*1.15))
}
