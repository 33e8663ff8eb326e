package demo

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"globaloffice/model"
)

// This file reads generated files back and checks every record against the
// file contracts, written here from the contracts and not from the
// generator's code: a record either obeys them all (good) or is reported
// with the reason it is invalid (bad).

var (
	idRE   = regexp.MustCompile(`^[A-Z]-[0-9]{6,}$`)
	userRE = regexp.MustCompile(`^U[0-9]{10}$`)
)

// The source of each channel.
var sourceOf = map[string]string{
	"reception": "qms", "appointment": "qms", "proximity": "qms",
	"phone": "acd",
	"email": "crm", "mail": "crm", "online": "crm", "video": "crm",
}

type readContact struct {
	id, source, site, channel string
	arrived, answered, ended  time.Time // as written: local clock for qms (in UTC), else UTC
	hasAnswered, hasEnded     bool
	outcome, motive, user, tm string
	notAsked                  bool // asked_agent false (empty: not said)
	caseID, segment           string
	file                      string
}

func (c readContact) wait() time.Duration { return c.answered.Sub(c.arrived) }

type readCase struct {
	id, site, kind, channel, status, user string
	received, completed, updated          time.Time
	hasCompleted, completedAbsent         bool
	ack                                   time.Time // zero: none
	announced                             int       // -1: none
	paused                                int64
	origin, segment                       string
}

type readResponse struct {
	id, site, channel, survey, mode, contactID, scale, comment string
	scaleRecommend                                             string // "" when recommend is on scale
	answered                                                   time.Time
	scores                                                     map[string]int
}

// dataset is every record of a generated folder.
type dataset struct {
	contacts  []readContact
	cases     []readCase
	responses []readResponse
	bad       []string // file:line: reason
	dups      int
	headers   map[string]string // file → header line
}

// parseTime parses a contract time: local without offset for qms, RFC 3339
// UTC with Z otherwise.
func parseTime(s string, local bool) (time.Time, error) {
	if local {
		if strings.HasSuffix(s, "Z") || strings.Contains(s[min(len(s), 19):], "+") {
			return time.Time{}, fmt.Errorf("%q: a queue-management time has no offset", s)
		}
		return time.Parse("2006-01-02T15:04:05", s)
	}
	if !strings.HasSuffix(s, "Z") {
		return time.Time{}, fmt.Errorf("%q: not UTC with Z", s)
	}
	return time.Parse(time.RFC3339, s)
}

func readDataset(dir string, sites map[string]model.Site) (*dataset, error) {
	ds := &dataset{headers: map[string]string{}}
	seen := map[string]string{} // identity → content
	dup := func(key, content string) (bool, error) {
		if prev, ok := seen[key]; ok {
			if prev != content {
				return false, fmt.Errorf("%s: two different records", key)
			}
			ds.dups++
			return true, nil
		}
		seen[key] = content
		return false, nil
	}
	for _, kind := range []string{"contacts", "cases", "surveys"} {
		files, err := filepath.Glob(filepath.Join(dir, kind, kind+"-*"))
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		for _, f := range files {
			if err := readFile(ds, f, kind, sites, dup); err != nil {
				return nil, err
			}
		}
	}
	return ds, nil
}

func readFile(ds *dataset, path, kind string, sites map[string]model.Site, dup func(string, string) (bool, error)) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	name := filepath.Base(path)
	if kind == "cases" {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for line := 1; sc.Scan(); line++ {
			raw := sc.Text()
			c, err := checkCase(raw, sites)
			if err != nil {
				ds.bad = append(ds.bad, fmt.Sprintf("%s:%d: %v", name, line, err))
				continue
			}
			if d, err := dup(c.id+"@"+c.updated.String(), raw); err != nil {
				return fmt.Errorf("%s:%d: %w", name, line, err)
			} else if !d {
				ds.cases = append(ds.cases, c)
			}
		}
		return sc.Err()
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: header: %w", name, err)
	}
	ds.headers[name] = strings.Join(header, ",")
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		content := strings.Join(rec, "\x1f")
		if kind == "contacts" {
			c, err := checkContact(rec, sites)
			if err != nil {
				ds.bad = append(ds.bad, fmt.Sprintf("%s:%d: %v", name, line, err))
				continue
			}
			c.file = name
			if d, err := dup(c.source+"/"+c.id, content); err != nil {
				return fmt.Errorf("%s:%d: %w", name, line, err)
			} else if !d {
				ds.contacts = append(ds.contacts, c)
			}
			continue
		}
		p, err := checkResponse(rec, sites)
		if err != nil {
			ds.bad = append(ds.bad, fmt.Sprintf("%s:%d: %v", name, line, err))
			continue
		}
		if d, err := dup("survey/"+p.id, content); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		} else if !d {
			ds.responses = append(ds.responses, p)
		}
	}
	return nil
}

func checkContact(rec []string, sites map[string]model.Site) (readContact, error) {
	if len(rec) != 14 {
		return readContact{}, fmt.Errorf("%d fields", len(rec))
	}
	c := readContact{id: rec[0], source: rec[1], site: rec[2], channel: rec[3], outcome: rec[7], motive: rec[8], user: rec[9], tm: rec[10], notAsked: rec[11] == "false",
		caseID: rec[12], segment: rec[13]}
	if c.caseID != "" && !caseIDRE.MatchString(c.caseID) {
		return c, fmt.Errorf("case_id %q", c.caseID)
	}
	if !segments[c.segment] {
		return c, fmt.Errorf("segment %q", c.segment)
	}
	if rec[11] != "" && (rec[11] != "false" || c.channel != "phone") {
		return c, fmt.Errorf("asked_agent %q on %s", rec[11], c.channel)
	}
	if !idRE.MatchString(c.id) {
		return c, fmt.Errorf("id %q", c.id)
	}
	src, ok := sourceOf[c.channel]
	if !ok {
		return c, fmt.Errorf("channel %q", c.channel)
	}
	if src != c.source {
		return c, fmt.Errorf("source %q for channel %q", c.source, c.channel)
	}
	if _, ok := sites[c.site]; !ok {
		return c, fmt.Errorf("site %q", c.site)
	}
	local := c.source == "qms"
	var err error
	if c.arrived, err = parseTime(rec[4], local); err != nil {
		return c, fmt.Errorf("arrived_at: %w", err)
	}
	if rec[5] != "" {
		c.hasAnswered = true
		if c.answered, err = parseTime(rec[5], local); err != nil {
			return c, fmt.Errorf("answered_at: %w", err)
		}
		if c.answered.Before(c.arrived) {
			return c, errors.New("answered before arrived")
		}
	}
	if rec[6] != "" {
		c.hasEnded = true
		if c.ended, err = parseTime(rec[6], local); err != nil {
			return c, fmt.Errorf("ended_at: %w", err)
		}
		if c.ended.Before(c.arrived) || c.hasAnswered && c.ended.Before(c.answered) {
			return c, errors.New("ended before arrived or answered")
		}
	}
	switch model.Outcome(c.outcome) {
	case model.OutcomeServed, model.OutcomeRedirected, model.OutcomeTransferred:
		if !c.hasAnswered || !c.hasEnded {
			return c, fmt.Errorf("%s without answered_at or ended_at", c.outcome)
		}
	case model.OutcomeAbandoned, model.OutcomeOverflow, model.OutcomeDeflected:
		if c.hasAnswered || !c.hasEnded {
			return c, fmt.Errorf("%s with answered_at or without ended_at", c.outcome)
		}
	case model.OutcomeNoShow:
		if c.hasAnswered {
			return c, errors.New("no_show with answered_at")
		}
	default:
		return c, fmt.Errorf("outcome %q", c.outcome)
	}
	if c.user != "" && !userRE.MatchString(c.user) {
		return c, fmt.Errorf("user_ref %q", c.user)
	}
	if c.motive == "" || c.tm == "" {
		return c, errors.New("motive or team empty")
	}
	return c, nil
}

var caseKeys = []string{"id", "source", "site", "kind", "channel", "received_at", "completed_at", "status", "user_ref", "updated_at"}

// optionalCaseKeys are written only when a version has them.
var optionalCaseKeys = []string{"acknowledged_at", "announced_days", "paused_seconds"}

// The optional keys of cases, and the segments (the configured default
// list, or none).
var (
	caseOptional = []string{"origin_contact_id", "segment"}
	segments     = map[string]bool{"": true, "priority_public": true, "assisted": true, "first_request": true}
	caseIDRE     = regexp.MustCompile(`^D-[0-9]{6,}$`)
)

func checkCase(raw string, sites map[string]model.Site) (readCase, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return readCase{}, err
	}
	c := readCase{announced: -1}
	for k := range m {
		if !slices.Contains(caseKeys, k) && !slices.Contains(optionalCaseKeys, k) && !slices.Contains(caseOptional, k) {
			return c, fmt.Errorf("unknown key %q", k)
		}
	}
	for i, k := range caseOptional {
		if v, ok := m[k]; ok {
			s, isStr := v.(string)
			switch {
			case !isStr || s == "":
				return c, fmt.Errorf("%s %v", k, v)
			case i == 0 && !idRE.MatchString(s):
				return c, fmt.Errorf("origin_contact_id %q", s)
			case i == 1 && !segments[s]:
				return c, fmt.Errorf("segment %q", s)
			}
			if i == 0 {
				c.origin = s
			} else {
				c.segment = s
			}
		}
	}
	str := func(k string) (string, error) {
		v, ok := m[k]
		if !ok {
			if k == "completed_at" {
				c.completedAbsent = true
				return "", nil
			}
			return "", fmt.Errorf("%s missing", k)
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%s is not a string", k)
		}
		return s, nil
	}
	var vals [10]string
	for i, k := range caseKeys {
		s, err := str(k)
		if err != nil {
			return c, err
		}
		vals[i] = s
	}
	c.id, c.site, c.kind, c.channel, c.status, c.user = vals[0], vals[2], vals[3], vals[4], vals[7], vals[8]
	if !idRE.MatchString(c.id) || vals[1] != "cms" {
		return c, fmt.Errorf("id %q source %q", c.id, vals[1])
	}
	if _, ok := sites[c.site]; !ok {
		return c, fmt.Errorf("site %q", c.site)
	}
	if !slices.Contains(model.DefaultCaseKinds, model.CaseKind(c.kind)) {
		return c, fmt.Errorf("kind %q", c.kind)
	}
	if _, ok := sourceOf[c.channel]; !ok {
		return c, fmt.Errorf("channel %q", c.channel)
	}
	if !model.CaseStatus(c.status).Valid() {
		return c, fmt.Errorf("status %q", c.status)
	}
	if c.user != "" && !userRE.MatchString(c.user) {
		return c, fmt.Errorf("user_ref %q", c.user)
	}
	var err error
	if c.received, err = parseTime(vals[5], false); err != nil {
		return c, fmt.Errorf("received_at: %w", err)
	}
	if c.updated, err = parseTime(vals[9], false); err != nil {
		return c, fmt.Errorf("updated_at: %w", err)
	}
	if c.updated.Before(c.received) {
		return c, errors.New("updated before received")
	}
	if vals[6] != "" {
		c.hasCompleted = true
		if c.completed, err = parseTime(vals[6], false); err != nil {
			return c, fmt.Errorf("completed_at: %w", err)
		}
		if c.completed.Before(c.received) {
			return c, errors.New("completed before received")
		}
	}
	if (c.status == "open") == c.hasCompleted {
		return c, fmt.Errorf("status %s with completed_at %q", c.status, vals[6])
	}
	return c, checkFollowUp(m, &c)
}

// checkFollowUp reads a case version's optional acknowledgement (a time
// between receipt and the version), announced delay and paused time
// (whole numbers, the pause within the time taken).
func checkFollowUp(m map[string]any, c *readCase) error {
	if v, ok := m["acknowledged_at"]; ok {
		s, _ := v.(string)
		var err error
		if c.ack, err = parseTime(s, false); err != nil {
			return fmt.Errorf("acknowledged_at: %w", err)
		}
		if c.ack.Before(c.received) || c.ack.After(c.updated) {
			return errors.New("acknowledged outside received..updated")
		}
	}
	whole := func(k string) (int64, bool, error) {
		v, ok := m[k]
		if !ok {
			return 0, false, nil
		}
		f, isNum := v.(float64)
		if !isNum || f < 0 || f != float64(int64(f)) {
			return 0, true, fmt.Errorf("%s %v is not a whole number ≥ 0", k, v)
		}
		return int64(f), true, nil
	}
	n, ok, err := whole("announced_days")
	if err != nil {
		return err
	}
	if ok {
		c.announced = int(n)
	}
	if c.paused, _, err = whole("paused_seconds"); err != nil {
		return err
	}
	if c.paused > 0 && (!c.hasCompleted || c.paused > int64(c.completed.Sub(c.received)/time.Second)) {
		return fmt.Errorf("paused %d s outside the case's time", c.paused)
	}
	return nil
}

var scoreColumns = []string{"overall", "courtesy", "clarity", "delay", "recommend"}

func checkResponse(rec []string, sites map[string]model.Site) (readResponse, error) {
	if len(rec) != 16 {
		return readResponse{}, fmt.Errorf("%d fields", len(rec))
	}
	p := readResponse{id: rec[0], site: rec[2], channel: rec[3], survey: rec[4], mode: rec[5], contactID: rec[7], scale: rec[8], scaleRecommend: rec[14], comment: rec[15], scores: map[string]int{}}
	if !idRE.MatchString(p.id) || rec[1] != "survey" {
		return p, fmt.Errorf("id %q source %q", p.id, rec[1])
	}
	if _, ok := sites[p.site]; !ok {
		return p, fmt.Errorf("site %q", p.site)
	}
	if _, ok := sourceOf[p.channel]; !ok {
		return p, fmt.Errorf("channel %q", p.channel)
	}
	if p.survey == "" {
		return p, errors.New("survey empty")
	}
	if !model.SurveyMode(p.mode).Valid() {
		return p, fmt.Errorf("mode %q", p.mode)
	}
	var err error
	if p.answered, err = parseTime(rec[6], false); err != nil {
		return p, fmt.Errorf("answered_at: %w", err)
	}
	if p.contactID != "" && !idRE.MatchString(p.contactID) {
		return p, fmt.Errorf("contact_id %q", p.contactID)
	}
	scale := model.Scale(p.scale)
	if !scale.Valid() {
		return p, fmt.Errorf("scale %q", p.scale)
	}
	if p.scaleRecommend != "" && p.scaleRecommend != string(model.Scale0to10) {
		return p, fmt.Errorf("scale_recommend %q, want empty or 0-10", p.scaleRecommend)
	}
	for i, col := range scoreColumns {
		s := rec[9+i]
		if s == "" {
			continue
		}
		own := scale
		if col == "recommend" && p.scaleRecommend != "" {
			own = model.Scale(p.scaleRecommend)
		}
		lo, hi := own.Bounds()
		v, err := strconv.Atoi(s)
		if err != nil || v < lo || v > hi {
			return p, fmt.Errorf("score_%s %q off scale %s", col, s, own)
		}
		p.scores[col] = v
	}
	if _, ok := p.scores["overall"]; !ok {
		return p, errors.New("no overall score")
	}
	return p, nil
}
