package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"globaloffice/model"
)

// FieldError is one refused value: where it was and why.
type FieldError struct {
	Line   int    // 1-based line in the file (the header is line 1)
	Field  string // column name, empty when the whole row is at fault
	Reason string
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
}

// FieldErrors is every refused value of a file.
type FieldErrors []FieldError

func (es FieldErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// SiteColumns are the required columns of a sites file, in any order.
var SiteColumns = []string{"id", "name", "kind", "region", "department", "zone", "timezone"}

// SiteOptionalColumns may follow: hours, the opening hours in the site's
// local time (model.ParseHours); a file without them, or an empty cell,
// gives a site open at every hour (its calls are all counted).
var SiteOptionalColumns = []string{"hours"}

// ReadSites parses a sites CSV file (header id,name,kind,region,department,
// zone,timezone, and optionally hours). It returns either every site or, when any row is bad, a
// FieldErrors naming every bad line and field, so that nothing is
// half-imported.
func ReadSites(r io.Reader) ([]model.Site, error) {
	cr := csv.NewReader(skipBOM(r))
	cr.FieldsPerRecord = -1 // checked below, with a better message
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, FieldErrors{{Line: 1, Reason: "empty file: expected a header " + strings.Join(SiteColumns, ",")}}
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	var errs FieldErrors
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup {
			errs = append(errs, FieldError{Line: 1, Field: h, Reason: "column appears twice"})
		}
		col[h] = i
	}
	for _, c := range SiteColumns {
		if _, ok := col[c]; !ok {
			errs = append(errs, FieldError{Line: 1, Field: c, Reason: "missing column (header must have " + strings.Join(SiteColumns, ",") + ")"})
		}
	}
	for h := range col {
		if !contains(SiteColumns, h) && !contains(SiteOptionalColumns, h) {
			errs = append(errs, FieldError{Line: 1, Field: h, Reason: "unknown column"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	var sites []model.Site
	firstLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(err))
			if _, ok := err.(*csv.ParseError); ok {
				continue
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			errs = append(errs, FieldError{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		get := func(c string) string {
			if i, ok := col[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		s := model.Site{
			ID: get("id"), Name: get("name"), Kind: model.SiteKind(get("kind")),
			Region: get("region"), Department: get("department"),
			Zone: model.Zone(get("zone")), Timezone: get("timezone"), Hours: get("hours"),
		}
		rowErrs := validateSite(line, s)
		if s.ID != "" {
			if first, dup := firstLine[s.ID]; dup {
				rowErrs = append(rowErrs, FieldError{Line: line, Field: "id", Reason: fmt.Sprintf("duplicate id %q (first on line %d)", s.ID, first)})
			} else {
				firstLine[s.ID] = line
			}
		}
		errs = append(errs, rowErrs...)
		sites = append(sites, s)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(sites) == 0 {
		return nil, FieldErrors{{Line: 2, Reason: "no sites after the header"}}
	}
	return sites, nil
}

func validateSite(line int, s model.Site) FieldErrors {
	var errs FieldErrors
	req := func(field, v string) {
		if v == "" {
			errs = append(errs, FieldError{Line: line, Field: field, Reason: "required"})
		}
	}
	req("id", s.ID)
	req("name", s.Name)
	req("region", s.Region)
	req("department", s.Department)
	if s.ID != "" && strings.ContainsAny(s.ID, " \t/\\?#%") {
		errs = append(errs, FieldError{Line: line, Field: "id", Reason: fmt.Sprintf("%q: no spaces, slashes, ?, # or %% in an id", s.ID)})
	}
	if !s.Kind.Valid() {
		errs = append(errs, FieldError{Line: line, Field: "kind", Reason: fmt.Sprintf("%q is not one of %s", s.Kind, join(model.SiteKinds))})
	}
	if _, err := model.ParseHours(s.Hours); err != nil {
		errs = append(errs, FieldError{Line: line, Field: "hours", Reason: err.Error()})
	}
	if !s.Zone.Valid() {
		errs = append(errs, FieldError{Line: line, Field: "zone", Reason: fmt.Sprintf("%q is not one of %s", s.Zone, join(model.Zones))})
	}
	switch {
	case s.Timezone == "":
		errs = append(errs, FieldError{Line: line, Field: "timezone", Reason: "required (an IANA name such as Europe/Paris)"})
	case s.Timezone == "Local" || !strings.Contains(s.Timezone, "/") && s.Timezone != "UTC":
		errs = append(errs, FieldError{Line: line, Field: "timezone", Reason: fmt.Sprintf("%q is not an IANA zone name such as Europe/Paris", s.Timezone)})
	default:
		if _, err := time.LoadLocation(s.Timezone); err != nil {
			errs = append(errs, FieldError{Line: line, Field: "timezone", Reason: fmt.Sprintf("%q is not a known IANA time zone", s.Timezone)})
		}
	}
	return errs
}

func csvError(err error) FieldError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return FieldError{Line: pe.Line, Reason: "malformed CSV: " + pe.Err.Error()}
	}
	return FieldError{Line: 0, Reason: "reading: " + err.Error()}
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func join[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// skipBOM drops a UTF-8 byte-order mark (spreadsheets write one) before the
// CSV reader sees it: a BOM before a quoted header breaks the reader.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	return br
}
