package ingest

import (
	"errors"
	"os"
	"strings"
	"testing"

	"globaloffice/model"
)

func TestReadSitesGood(t *testing.T) {
	f, err := os.Open("testdata/sites_good.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sites, err := ReadSites(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Site{
		{ID: "PAR-11", Name: "Paris 11e", Kind: "agency", Region: "11", Department: "75", Zone: "metropole", Timezone: "Europe/Paris"},
		{ID: "STR-67", Name: "Strasbourg, centre", Kind: "agency", Region: "44", Department: "67", Zone: "alsace_moselle", Timezone: "Europe/Paris"},
		{ID: "MAM-976", Name: "Mamoudzou", Kind: "agency", Region: "06", Department: "976", Zone: "mayotte", Timezone: "Indian/Mayotte"},
	}
	if len(sites) != len(want) {
		t.Fatalf("got %d sites, want %d", len(sites), len(want))
	}
	for i := range want {
		if sites[i] != want[i] {
			t.Errorf("site %d = %+v, want %+v", i, sites[i], want[i])
		}
	}
}

func TestReadSitesBadRows(t *testing.T) {
	f, err := os.Open("testdata/sites_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sites, err := ReadSites(f)
	if sites != nil {
		t.Errorf("got %d sites from a bad file, want none (nothing half-imported)", len(sites))
	}
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not FieldErrors", err)
	}
	// One entry per bad value, by line of the file (header = line 1).
	want := []struct {
		line   int
		field  string
		reason string
	}{
		{3, "zone", `"alsace" is not one of metropole, alsace_moselle`},
		{4, "timezone", `"Europe/Lyon" is not a known IANA time zone`},
		{5, "id", `duplicate id "PAR-11" (first on line 2)`},
		{6, "id", "required"},
		{7, "kind", `"kiosk" is not one of agency`},
		{8, "", "6 fields, the header has 7"},
		{9, "timezone", `"CET" is not an IANA zone name`},
	}
	if len(fe) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(fe), len(want), err)
	}
	for i, w := range want {
		got := fe[i]
		if got.Line != w.line || got.Field != w.field || !strings.Contains(got.Reason, w.reason) {
			t.Errorf("error %d = %v, want line %d field %q reason containing %q", i, got, w.line, w.field, w.reason)
		}
	}
}

func TestReadSitesHeader(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"missing column", "id,name,kind,region,department,zone\nA,a,agency,11,75,metropole\n", []string{"line 1: timezone: missing column"}},
		{"unknown column", "id,name,kind,region,department,zone,timezone,manager\nA,a,agency,11,75,metropole,Europe/Paris,x\n", []string{"line 1: manager: unknown column"}},
		{"duplicate column", "id,name,kind,region,department,zone,timezone,id\n", []string{"line 1: id: column appears twice"}},
		{"empty file", "", []string{"line 1: empty file"}},
		{"header only", "id,name,kind,region,department,zone,timezone\n", []string{"line 2: no sites after the header"}},
		{"unterminated quote", "id,name,kind,region,department,zone,timezone\nA,\"a,agency,11,75,metropole,Europe/Paris\n", []string{"malformed CSV"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSites(strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestReadSitesColumnsInAnyOrderWithBOM(t *testing.T) {
	in := "\ufefftimezone,zone,department,region,kind,name,id\r\nEurope/Paris,metropole,75,11,agency,Paris,PAR\r\n"
	sites, err := ReadSites(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 1 || sites[0].ID != "PAR" || sites[0].Timezone != "Europe/Paris" {
		t.Errorf("got %+v", sites)
	}
}

func FuzzReadSites(f *testing.F) {
	for _, p := range []string{"testdata/sites_good.csv", "testdata/sites_bad.csv"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("id,name\n\"")
	f.Fuzz(func(t *testing.T, in string) {
		sites, err := ReadSites(strings.NewReader(in))
		if err == nil && len(sites) == 0 {
			t.Fatal("no error and no sites")
		}
		if err != nil && sites != nil {
			t.Fatal("sites returned with an error")
		}
		for _, s := range sites {
			if s.ID == "" || !s.Zone.Valid() || !s.Kind.Valid() {
				t.Fatalf("invalid site accepted: %+v", s)
			}
		}
	})
}

func TestReadSitesBOMQuotedHeader(t *testing.T) {
	in := "\ufeff\"id\",\"name\",\"kind\",\"region\",\"department\",\"zone\",\"timezone\"\nPAR,Paris,agency,11,75,metropole,Europe/Paris\n"
	sites, err := ReadSites(strings.NewReader(in))
	if err != nil || len(sites) != 1 {
		t.Fatalf("%v %v", sites, err)
	}
}
