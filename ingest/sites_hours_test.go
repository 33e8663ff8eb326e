package ingest

import (
	"errors"
	"strings"
	"testing"
)

// TestReadSitesHours: the optional hours column; an empty cell or a file
// without the column gives a site without hours (always open), a bad one a
// reject naming the line, the field and the bad part.
func TestReadSitesHours(t *testing.T) {
	const header = "id,name,kind,region,department,zone,timezone,hours\n"
	sites, err := ReadSites(strings.NewReader(header +
		"PF-IDF,Plateforme,phone_platform,11,93,metropole,Europe/Paris,mon-fri 08:30-17:00; sat 09:00-12:00\n" +
		"PAR-11,Paris 11e,agency,11,75,metropole,Europe/Paris,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sites[0].Hours != "mon-fri 08:30-17:00; sat 09:00-12:00" || sites[1].Hours != "" {
		t.Errorf("hours %q, %q", sites[0].Hours, sites[1].Hours)
	}
	_, err = ReadSites(strings.NewReader(header +
		"PF-IDF,Plateforme,phone_platform,11,93,metropole,Europe/Paris,mon-fri 08:30-17:00; sat 09:00-12:00\n" +
		"PF-ARA,Plateforme,phone_platform,84,69,metropole,Europe/Paris,mon-fri 08:30-1700\n" +
		"PF-GES,Plateforme,phone_platform,44,67,alsace_moselle,Europe/Paris,mon-fri 08:30-12:00; fri 14:00-16:00\n"))
	var fe FieldErrors
	if !errors.As(err, &fe) || len(fe) != 2 {
		t.Fatalf("error %v, want two field errors", err)
	}
	if fe[0].Line != 3 || fe[0].Field != "hours" || !strings.Contains(fe[0].Reason, `"08:30-1700"`) {
		t.Errorf("%v", fe[0])
	}
	if fe[1].Line != 4 || fe[1].Field != "hours" || !strings.Contains(fe[1].Reason, "fri is already given") {
		t.Errorf("%v", fe[1])
	}
}
