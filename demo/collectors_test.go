package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/model"
)

// The collectors' own validator (package ingest) accepts every good record
// of the sample and refuses exactly the deliberately invalid ones.
func TestCollectorsAcceptGoodRecords(t *testing.T) {
	sum, _ := loadSample(t)
	sites, err := Sites()
	if err != nil {
		t.Fatal(err)
	}
	var channels, kinds []string
	for _, c := range model.DefaultChannels {
		channels = append(channels, string(c))
	}
	for _, k := range model.DefaultCaseKinds {
		kinds = append(kinds, string(k))
	}
	ref, err := ingest.NewReference(sites, ingest.Lists{Channels: channels, CaseKinds: kinds,
		Dimensions: []string{"overall", "courtesy", "clarity", "delay", "recommend"}, Segments: model.DefaultSegments})
	if err != nil {
		t.Fatal(err)
	}
	v := &ingest.Validator{Ref: ref, Pseudo: ingest.NewPseudonymizer([]byte("test")),
		Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }}
	var accepted, refused int64
	var firstRefusals []string
	for _, f := range sum.Files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		format := ingest.FormatCSV
		if strings.HasSuffix(f, ".ndjson") {
			format = ingest.FormatNDJSON
		}
		kind := filepath.Base(filepath.Dir(f))
		err = ingest.Decode(fh, format, ingest.Limits{MaxRecords: 1 << 30}, func(r ingest.RawRecord) error {
			var errs []ingest.FieldError
			switch {
			case r.Err != nil:
				errs = []ingest.FieldError{{Line: r.Line, Reason: r.Err.Error()}}
			case kind == "contacts":
				_, errs = v.Contact(r, "")
			case kind == "cases":
				_, errs = v.Case(r, "")
			default:
				_, errs = v.Survey(r, "")
			}
			if len(errs) == 0 {
				accepted++
				return nil
			}
			refused++
			if len(firstRefusals) < 10 {
				firstRefusals = append(firstRefusals, fmt.Sprintf("%s:%d: %v", filepath.Base(f), r.Line, errs))
			}
			return nil
		})
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if refused != sum.Bad || accepted != sum.Records()-sum.Bad {
		t.Errorf("collectors accepted %d and refused %d records; generated %d good and %d bad; first refusals:\n%s",
			accepted, refused, sum.Records()-sum.Bad, sum.Bad, strings.Join(firstRefusals, "\n"))
	}
}
