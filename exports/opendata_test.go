package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"globaloffice/exports"
	"globaloffice/ingest"
)

// tableSchema is schema.json as a validator reads it.
type tableSchema struct {
	Fields []struct {
		Name, Type, Format string
		Constraints        struct {
			Required         bool
			Enum             []string
			Minimum, Maximum *float64
		}
	}
	PrimaryKey    []string
	MissingValues []string
}

// validate checks one logical value (as text; missing as "") against a
// field of the schema: required, type, format, enum, minimum, maximum.
func (s tableSchema) validate(i int, v string) error {
	f := s.Fields[i]
	if slices.Contains(s.MissingValues, v) {
		if f.Constraints.Required {
			return fmt.Errorf("%s: required", f.Name)
		}
		return nil
	}
	var n float64
	var err error
	switch f.Type {
	case "string":
		if f.Format == "uri" {
			if u, perr := url.Parse(v); perr != nil || u.Scheme == "" || u.Host == "" {
				err = fmt.Errorf("not a URI")
			}
		}
	case "number":
		n, err = strconv.ParseFloat(v, 64)
	case "integer":
		var k int64
		k, err = strconv.ParseInt(v, 10, 64)
		n = float64(k)
	case "boolean":
		if v != "true" && v != "false" {
			err = fmt.Errorf("not a boolean")
		}
	case "date":
		_, err = time.Parse(time.DateOnly, v)
	case "datetime":
		_, err = time.Parse(time.RFC3339, v)
	default:
		err = fmt.Errorf("unknown type %s", f.Type)
	}
	switch c := f.Constraints; {
	case err != nil:
		return fmt.Errorf("%s: %q: %v", f.Name, v, err)
	case len(c.Enum) > 0 && !slices.Contains(c.Enum, v):
		return fmt.Errorf("%s: %q not in %v", f.Name, v, c.Enum)
	case c.Minimum != nil && n < *c.Minimum, c.Maximum != nil && n > *c.Maximum:
		return fmt.Errorf("%s: %v out of bounds", f.Name, v)
	}
	return nil
}

func loadSchema(t *testing.T) tableSchema {
	var buf bytes.Buffer
	if err := exports.WriteJSON(&buf, exports.OpenSchema()); err != nil {
		t.Fatal(err)
	}
	var s tableSchema
	if err := json.Unmarshal(buf.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// validateOpenData checks a CSV and a JSON publication against the
// schema, and that they hold the same rows; it returns the CSV's records.
func validateOpenData(t *testing.T, s tableSchema, csvText, jsonText []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(csvText)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range s.Fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(recs[0], names) {
		t.Fatalf("header %v, want %v", recs[0], names)
	}
	keys := map[string]bool{}
	for n, rec := range recs[1:] {
		for i, v := range rec {
			if err := s.validate(i, v); err != nil {
				t.Errorf("CSV row %d: %v", n+1, err)
			}
		}
		var key []string
		for _, k := range s.PrimaryKey {
			key = append(key, rec[slices.Index(names, k)])
		}
		if k := strings.Join(key, "|"); keys[k] {
			t.Errorf("CSV row %d: primary key %s repeated", n+1, k)
		} else {
			keys[k] = true
		}
	}
	var objs []map[string]any
	if err := json.Unmarshal(jsonText, &objs); err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(recs)-1 {
		t.Fatalf("JSON %d rows, CSV %d", len(objs), len(recs)-1)
	}
	for n, o := range objs {
		for i, f := range s.Fields {
			v, ok := o[f.Name]
			if !ok {
				t.Fatalf("JSON row %d: no %s", n+1, f.Name)
			}
			text := ""
			switch x := v.(type) {
			case nil:
			case string:
				text = x
			case bool:
				text = strconv.FormatBool(x)
			case float64:
				text = strconv.FormatFloat(x, 'f', -1, 64)
			}
			if err := s.validate(i, text); err != nil {
				t.Errorf("JSON row %d: %v", n+1, err)
			}
			if text != recs[n+1][i] {
				t.Errorf("JSON row %d %s: %q, CSV %q", n+1, f.Name, text, recs[n+1][i])
			}
		}
	}
	return recs
}

// openFixture: May 2026 closed with PAR-11 9 of 10 visits within 20
// minutes, PAR-18 7 of 10, STR-67 4 of 5 (under the minimum sample of
// 10); June (PAR-11 10 of 10) not closed; national target 80.
func openFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, contactsHeader+visits("PAR-11", "2026-05-12", 9, 1)+visits("PAR-18", "2026-05-12", 7, 3)+
		visits("STR-67", "2026-05-12", 4, 1)+visits("PAR-11", "2026-06-09", 10, 0))
	f.target(t, "reception.wait_20min,national,2026,80\n")
	f.close(t, "2026-05")
	return f
}

func TestOpenData(t *testing.T) {
	f := openFixture(t)
	ctx := context.Background()
	rows, err := exports.LoadOpenData(ctx, f.eng, exports.OpenFilter{}, "https://qos.example.fr")
	if err != nil {
		t.Fatal(err)
	}
	var c, j bytes.Buffer
	if err := exports.WriteOpenCSV(&c, rows); err != nil {
		t.Fatal(err)
	}
	if err := exports.WriteOpenJSON(&j, rows); err != nil {
		t.Fatal(err)
	}
	recs := validateOpenData(t, loadSchema(t), c.Bytes(), j.Bytes())
	// Hand-worked: national 20 of 25 = 80% (met: ≥ 80), region 11 and
	// department 75 16 of 20 = 80%, PAR-11 90%, PAR-18 70% (missed);
	// Strasbourg, its department and region are under the minimum sample;
	// June is not closed; unpublished indicators (reception.wait_p90) are
	// left out.
	var got []string
	for _, r := range recs[1:] {
		got = append(got, strings.Join([]string{r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[12], r[13], r[14], r[15], r[16], r[19], r[20], r[21], r[22], r[24]}, ","))
	}
	base := "2026-05,2026-05-01,2026-05-31,"
	m := ",reception.wait_20min,percent,"
	want := []string{
		base + "national,,France,,," + m + "80,20,25,25,80,true,met,1,https://qos.example.fr/api/v1/indicators#reception.wait_20min",
		base + "region,11,Région 11,11,," + m + "80,16,20,20,80,true,met,1,https://qos.example.fr/api/v1/indicators#reception.wait_20min",
		base + "department,75,Département 75,11,75," + m + "80,16,20,20,80,true,met,1,https://qos.example.fr/api/v1/indicators#reception.wait_20min",
		base + "site,PAR-11,Paris 11 & Bastille,11,75,PAR-11" + m + "90,9,10,10,80,true,met,1,https://qos.example.fr/api/v1/indicators#reception.wait_20min",
		base + "site,PAR-18,Paris 18,11,75,PAR-18" + m + "70,7,10,10,80,false,missed,1,https://qos.example.fr/api/v1/indicators#reception.wait_20min",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Version 1 from the beginning; the spread across sites with at least
	// 10 visits: PAR-11 90 and PAR-18 70 (STR-67's 5 left out), nearest
	// rank p10 ⌈0.2⌉ = 1st, median ⌈1⌉ = 1st, p90 ⌈1.8⌉ = 2nd; PAR-18
	// missed. Region 44 and department 67 are not published (too small a
	// sample); sites have no spread.
	got = nil
	for _, r := range recs[1:] {
		got = append(got, strings.Join(r[25:], ","))
	}
	two := "1,,2,70,70,70,90,90,1"
	if want := []string{two, two, two, "1,,,,,,,,", "1,,,,,,,,"}; !slices.Equal(got, want) {
		t.Errorf("versions and spreads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Filters; and the same publication twice is the same bytes.
	for _, fl := range []struct {
		f    exports.OpenFilter
		want int
	}{{exports.OpenFilter{Site: "PAR-18"}, 1}, {exports.OpenFilter{Period: "2026-06"}, 0}, {exports.OpenFilter{Indicator: "phone.pickup_rate"}, 0}, {exports.OpenFilter{Period: "2026-05", Indicator: "reception.wait_20min"}, 5}} {
		rs, err := exports.LoadOpenData(ctx, f.eng, fl.f, "https://qos.example.fr")
		if err != nil || len(rs) != fl.want {
			t.Errorf("%+v: %d rows, want %d (%v)", fl.f, len(rs), fl.want, err)
		}
	}
	var again bytes.Buffer
	rows2, _ := exports.LoadOpenData(ctx, f.eng, exports.OpenFilter{}, "https://qos.example.fr")
	_ = exports.WriteOpenCSV(&again, rows2)
	if !bytes.Equal(again.Bytes(), c.Bytes()) {
		t.Error("two publications of the same data differ")
	}
}
