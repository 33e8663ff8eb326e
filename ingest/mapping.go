package ingest

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Mapping adapts a real export that does not use our field names: renamed
// columns, time layouts, constant fields and value maps, and, where rows must
// be combined into records, a decoder of its own (asterisk_queue_log).
type Mapping struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Kind        Kind   `yaml:"kind"`
	// Decoder is empty for a plain CSV/NDJSON/JSON body, or the name of a
	// decoder that assembles records from several rows.
	Decoder   string `yaml:"decoder"`
	Format    Format `yaml:"format"`    // default format when the caller does not say
	Delimiter string `yaml:"delimiter"` // CSV separator, default ","
	// Columns renames source columns to record fields.
	Columns map[string]string `yaml:"columns"`
	// Ignore lists source columns that are dropped.
	Ignore []string `yaml:"ignore"`
	// TimeLayout is the Go layout of the time fields (e.g. 02/01/2006 15:04),
	// or "unix" for epoch seconds. Without a zone in the layout, times are
	// local to the record's site, as in our own format.
	TimeLayout string `yaml:"time_layout"`
	// Constants are fields every record gets (unless it has a value).
	Constants map[string]string `yaml:"constants"`
	// Values maps source values to ours, per record field; the key
	// "score_*" applies to every score field. A value absent from a map is
	// kept as is (and then validated).
	Values map[string]map[string]string `yaml:"values"`
	// IDFrom builds the record id from several source columns, joined by
	// "/": an export whose own numbers restart (a ticket A001 every
	// morning at every branch) is identified by branch, date and number.
	// date(COLUMN) is the local date of a time column (YYYY-MM-DD). The
	// columns it names are not fields of the record.
	IDFrom []string `yaml:"id_from"`
	// IgnoreUnmapped drops the source columns that are neither renamed nor
	// a field of the kind (a questionnaire's other questions): listed once
	// per file in the answer, not a reject per row.
	IgnoreUnmapped bool `yaml:"ignore_unmapped"`
	// SkipWhenEmpty names source columns without which a row is an
	// incomplete record (a LimeSurvey response never submitted has no
	// submitdate): skipped and counted, not refused.
	SkipWhenEmpty []string `yaml:"skip_when_empty"`

	// keptTargets are the renames (source, field) whose field an export
	// may also send under its own name: such an export is refused.
	keptTargets [][2]string
}

var timeFields = map[string]bool{"arrived_at": true, "answered_at": true, "ended_at": true, "received_at": true, "completed_at": true, "updated_at": true, "acknowledged_at": true}

// Decoders assemble records from rows; the names a mapping may use.
var Decoders = map[string]bool{"asterisk_queue_log": true}

//go:embed mappings/*.yaml
var builtinMappings embed.FS

// ParseMapping reads one mapping file; errors name the file, line and field.
func ParseMapping(name string, b []byte) (*Mapping, error) {
	var m Mapping
	if err := yaml.UnmarshalWithOptions(b, &m, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return nil, fmt.Errorf("mapping %s: %s", name, yaml.FormatError(err, false, true))
	}
	var errs []error
	if m.Name == "" {
		errs = append(errs, errors.New("name: required"))
	}
	if _, err := ParseKind(string(m.Kind)); err != nil {
		errs = append(errs, fmt.Errorf("kind: %w", err))
	}
	if m.Decoder != "" && !Decoders[m.Decoder] {
		errs = append(errs, fmt.Errorf("decoder: unknown decoder %q (known: asterisk_queue_log)", m.Decoder))
	}
	switch m.Format {
	case "", FormatCSV, FormatNDJSON, FormatJSON:
	default:
		errs = append(errs, fmt.Errorf("format: %q is not csv, ndjson or json", m.Format))
	}
	if len([]rune(m.Delimiter)) > 1 {
		errs = append(errs, fmt.Errorf("delimiter: %q must be one character", m.Delimiter))
	}
	known := func(f string) bool {
		return contains(fieldsOf[m.Kind], f) || (m.Kind == KindSurveys && scoreField(f))
	}
	// Two columns renamed to one field, or renamed onto a column that is
	// itself kept under its own name, would give a record two values for
	// the field, and which one won depended on a map's order.
	srcs := make([]string, 0, len(m.Columns))
	for src := range m.Columns {
		srcs = append(srcs, src)
	}
	sort.Strings(srcs)
	into := map[string]string{}
	for _, src := range srcs {
		dst := m.Columns[src]
		if !known(dst) {
			errs = append(errs, fmt.Errorf("columns.%s: %q is not a %s field", src, dst, m.Kind))
		}
		if other, ok := into[dst]; ok {
			errs = append(errs, fmt.Errorf("columns.%s and columns.%s are both renamed to %q", other, src, dst))
		}
		into[dst] = src
	}
	for _, src := range srcs {
		if dst := m.Columns[src]; dst != src && !contains(m.Ignore, dst) {
			if _, renamed := m.Columns[dst]; !renamed {
				m.keptTargets = append(m.keptTargets, [2]string{src, dst})
			}
		}
	}
	for f := range m.Constants {
		if !known(f) {
			errs = append(errs, fmt.Errorf("constants.%s: not a %s field", f, m.Kind))
		}
	}
	for f := range m.Values {
		if f != "score_*" && !known(f) {
			errs = append(errs, fmt.Errorf("values.%s: not a %s field", f, m.Kind))
		}
	}
	for i, part := range m.IDFrom {
		col, isDate := idPart(part)
		if col == "" {
			errs = append(errs, fmt.Errorf("id_from[%d]: %q: a column, or date(COLUMN)", i, part))
		}
		if isDate && m.TimeLayout == "unix" {
			errs = append(errs, fmt.Errorf("id_from[%d]: date(%s) needs a time_layout with a date, not unix", i, col))
		}
	}
	if len(m.IDFrom) > 0 {
		if src, ok := into["id"]; ok {
			errs = append(errs, fmt.Errorf("columns.%s: renamed to id, which id_from builds", src))
		}
		if _, ok := m.Constants["id"]; ok {
			errs = append(errs, errors.New("constants.id: id_from builds the id"))
		}
	}
	for i, col := range m.SkipWhenEmpty {
		if strings.TrimSpace(col) == "" {
			errs = append(errs, fmt.Errorf("skip_when_empty[%d]: empty column name", i))
		}
	}
	if m.TimeLayout != "" && m.TimeLayout != "unix" {
		if _, err := time.Parse(m.TimeLayout, time.Date(2026, 5, 14, 9, 3, 12, 0, time.UTC).Format(m.TimeLayout)); err != nil {
			errs = append(errs, fmt.Errorf("time_layout: %q is not a Go time layout: %v", m.TimeLayout, err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("mapping %s: %w", name, errors.Join(errs...))
	}
	return &m, nil
}

// MappingSet is the built-in mappings plus a user's folder of *.yaml.
type MappingSet map[string]*Mapping

// LoadMappings reads the built-in mappings and those in dir (if it exists);
// a user's mapping replaces a built-in one of the same name.
func LoadMappings(dir string) (MappingSet, error) {
	set := MappingSet{}
	add := func(fsys fs.FS, path string) error {
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		m, err := ParseMapping(path, b)
		if err != nil {
			return err
		}
		set[m.Name] = m
		return nil
	}
	builtins, _ := fs.Glob(builtinMappings, "mappings/*.yaml")
	for _, p := range builtins {
		if err := add(builtinMappings, p); err != nil {
			return nil, err
		}
	}
	if dir != "" {
		if _, err := os.Stat(dir); err == nil {
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			for _, p := range files {
				if err := add(os.DirFS(filepath.Dir(p)), filepath.Base(p)); err != nil {
					return nil, fmt.Errorf("%s: %w", dir, err)
				}
			}
		}
	}
	return set, nil
}

// Get returns the named mapping.
func (s MappingSet) Get(name string) (*Mapping, error) {
	if m, ok := s[name]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("unknown mapping %q (known: %s)", name, strings.Join(s.Names(), ", "))
}

// Names lists the mappings.
func (s MappingSet) Names() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// idPart reads an element of id_from: a column, or date(COLUMN).
func idPart(s string) (col string, isDate bool) {
	s = strings.TrimSpace(s)
	if inner, ok := strings.CutPrefix(s, "date("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return "", true
		}
		return strings.TrimSpace(inner), true
	}
	return s, false
}

// Incomplete reports whether a source record lacks a column of
// SkipWhenEmpty: it is skipped, not refused.
func (m *Mapping) Incomplete(in map[string]string) bool {
	for _, col := range m.SkipWhenEmpty {
		if strings.TrimSpace(in[col]) == "" {
			return true
		}
	}
	return false
}

// unmapped reports whether IgnoreUnmapped drops source column k.
func (m *Mapping) unmapped(k string) bool {
	if !m.IgnoreUnmapped {
		return false
	}
	if _, renamed := m.Columns[k]; renamed {
		return false
	}
	return !contains(fieldsOf[m.Kind], k) && !(m.Kind == KindSurveys && scoreField(k))
}

// Apply turns one source record into our fields. source is the one the
// sender gave (--source, ?source=): it wins over the mapping's constant,
// so that two exports numbering their records alike are told apart.
// ignored, when not nil, gets the source columns IgnoreUnmapped dropped.
func (m *Mapping) Apply(in map[string]string, source string, ignored map[string]bool) (map[string]string, *FieldError) {
	out := make(map[string]string, len(in)+len(m.Constants))
	var idCols map[string]bool
	if len(m.IDFrom) > 0 {
		idCols = map[string]bool{}
		for _, part := range m.IDFrom {
			col, _ := idPart(part)
			idCols[col] = true
		}
	}
	for k, v := range in {
		if contains(m.Ignore, k) {
			continue
		}
		dst, renamed := m.Columns[k]
		if !renamed && idCols[k] {
			continue // read by id_from only
		}
		if m.unmapped(k) {
			if ignored != nil {
				ignored[k] = true
			}
			continue
		}
		if renamed {
			k = dst
		}
		out[k] = v
	}
	if source != "" && strings.TrimSpace(out["source"]) == "" {
		out["source"] = source
	}
	for k, v := range m.Constants {
		if strings.TrimSpace(out[k]) == "" {
			out[k] = v
		}
	}

	for k, v := range out {
		vm, ok := m.Values[k]
		if !ok && strings.HasPrefix(k, "score_") {
			vm, ok = m.Values["score_*"]
		}
		if ok {
			if mapped, hit := vm[strings.TrimSpace(v)]; hit {
				out[k] = mapped
			}
		}
	}
	if m.TimeLayout != "" {
		for k, v := range out {
			v = strings.TrimSpace(v)
			if !timeFields[k] || v == "" {
				continue
			}
			s, err := m.convertTime(v)
			if err != nil {
				return nil, &FieldError{Field: k, Reason: err.Error()}
			}
			out[k] = s
		}
	}
	if len(m.IDFrom) > 0 {
		// After the times: a time that does not parse is refused on its
		// field first.
		id, err := m.buildID(in)
		if err != nil {
			return nil, err
		}
		out["id"] = id
	}
	return out, nil
}

// buildID joins the id_from parts of a source record with "/"; empty when
// a part is empty (the record is then refused: id required).
func (m *Mapping) buildID(in map[string]string) (string, *FieldError) {
	parts := make([]string, 0, len(m.IDFrom))
	for _, part := range m.IDFrom {
		col, isDate := idPart(part)
		v := strings.TrimSpace(in[col])
		if v == "" {
			return "", nil
		}
		if isDate {
			d, err := m.localDate(v)
			if err != nil {
				field := col
				if dst, ok := m.Columns[col]; ok {
					field = dst
				}
				return "", &FieldError{Field: field, Reason: err.Error()}
			}
			v = d
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, "/"), nil
}

// localDate is the date of a time as the export writes it (local to the
// site when the layout has no zone), as YYYY-MM-DD.
func (m *Mapping) localDate(v string) (string, error) {
	layout := m.TimeLayout
	if layout == "" {
		layout = time.RFC3339
		if len(v) >= 10 {
			if _, err := time.Parse(time.DateOnly, v[:10]); err == nil {
				return v[:10], nil
			}
		}
	}
	t, err := time.Parse(layout, v)
	if err != nil {
		return "", fmt.Errorf("%q does not match the time layout %q", v, layout)
	}
	return t.Format(time.DateOnly), nil
}

// convertTime rewrites a time in the mapping's layout into our format: RFC
// 3339 when the layout carries a zone, a local time without offset when not.
// collision refuses a record that has both a column the mapping renames and
// a column of the rename's name: the export does not fit the mapping, and
// every record would be refused alike, so the body is refused whole.
func (m *Mapping) collision(in map[string]string, line int) *BodyError {
	for _, t := range m.keptTargets {
		if _, ok := in[t[0]]; ok {
			if _, also := in[t[1]]; also {
				return badBody(line, "the export has both %q (renamed to %s by mapping %s) and %q: add %q to the mapping's ignore", t[0], t[1], m.Name, t[1], t[1])
			}
		}
	}
	return nil
}

func (m *Mapping) convertTime(v string) (string, error) {
	if m.TimeLayout == "unix" {
		sec, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", fmt.Errorf("%q is not a unix time in seconds", v)
		}
		return time.Unix(int64(sec), 0).UTC().Format(time.RFC3339), nil
	}
	t, err := time.Parse(m.TimeLayout, v)
	if err != nil {
		return "", fmt.Errorf("%q does not match the time layout %q", v, m.TimeLayout)
	}
	if strings.ContainsAny(m.TimeLayout, "Z") || strings.Contains(m.TimeLayout, "-07") || strings.Contains(m.TimeLayout, "MST") {
		return t.Format(time.RFC3339), nil
	}
	return t.Format("2006-01-02T15:04:05"), nil
}
