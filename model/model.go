package model

import (
	"fmt"
	"time"
)

// Zone is a public-holiday calendar zone. Alsace-Moselle has two extra
// holidays and each overseas department its own abolition-of-slavery day, so
// working-day delays depend on it.
type Zone string

// The calendar zones, as they appear in the sites file.
const (
	ZoneMetropole     Zone = "metropole"
	ZoneAlsaceMoselle Zone = "alsace_moselle"
	ZoneGuadeloupe    Zone = "guadeloupe"
	ZoneMartinique    Zone = "martinique"
	ZoneGuyane        Zone = "guyane"
	ZoneReunion       Zone = "reunion"
	ZoneMayotte       Zone = "mayotte"
)

// Zones lists every calendar zone in a stable order.
var Zones = []Zone{ZoneMetropole, ZoneAlsaceMoselle, ZoneGuadeloupe, ZoneMartinique, ZoneGuyane, ZoneReunion, ZoneMayotte}

// Valid reports whether z is one of Zones.
func (z Zone) Valid() bool { return oneOf(z, Zones) }

// SiteKind is what a site does.
type SiteKind string

// The kinds of site.
const (
	SiteAgency           SiteKind = "agency"
	SitePhonePlatform    SiteKind = "phone_platform"
	SiteProcessingCentre SiteKind = "processing_centre"
	SiteProximityPoint   SiteKind = "proximity_point"
)

// SiteKinds lists every site kind.
var SiteKinds = []SiteKind{SiteAgency, SitePhonePlatform, SiteProcessingCentre, SiteProximityPoint}

// Valid reports whether k is one of SiteKinds.
func (k SiteKind) Valid() bool { return oneOf(k, SiteKinds) }

// Site is one place (or platform) that serves users. Sites are reference data.
type Site struct {
	ID         string
	Name       string
	Kind       SiteKind
	Region     string
	Department string
	Zone       Zone
	// Timezone is an IANA name; periods are cut in the site's local time.
	Timezone string
	// Hours are the opening hours as written in the sites file
	// (ParseHours), in the site's local time; "" when not given: the site
	// is then taken as always open (see Hours).
	Hours string
}

// Location loads the site's time zone.
func (s Site) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return nil, fmt.Errorf("site %q: timezone %q: %w", s.ID, s.Timezone, err)
	}
	return loc, nil
}

// Channel is a way users reach the service (reception, phone, e-mail…). The
// list of channels is configuration, not code: a Channel is just its name.
type Channel string

// DefaultChannels is the channel list used when none is configured.
var DefaultChannels = []Channel{"reception", "appointment", "phone", "video", "email", "mail", "online", "proximity"}

// Outcome is how a front-office contact ended.
type Outcome string

// The contact outcomes.
const (
	OutcomeServed     Outcome = "served"
	OutcomeAbandoned  Outcome = "abandoned"
	OutcomeNoShow     Outcome = "no_show"
	OutcomeRedirected Outcome = "redirected"
	OutcomeOverflow   Outcome = "overflow"
	// OutcomeTransferred is a call answered by an agent, then transferred:
	// it counts as answered wherever answered is meant.
	OutcomeTransferred Outcome = "transferred"
	// OutcomeDeflected is a call the voice menu (IVR) sent elsewhere (web,
	// SMS): resolved without an agent, so outside the pick-up rate.
	OutcomeDeflected Outcome = "deflected"
)

// Outcomes lists every contact outcome.
var Outcomes = []Outcome{OutcomeServed, OutcomeAbandoned, OutcomeNoShow, OutcomeRedirected, OutcomeOverflow, OutcomeTransferred, OutcomeDeflected}

// Answered tells whether a contact with outcome o was answered by an agent
// (served, or answered and then transferred).
func (o Outcome) Answered() bool { return o == OutcomeServed || o == OutcomeTransferred }

// Valid reports whether o is one of Outcomes.
func (o Outcome) Valid() bool { return oneOf(o, Outcomes) }

// Contact is one user contact on one front-office channel.
type Contact struct {
	Source    string
	ID        string
	Site      string
	Channel   Channel
	ArrivedAt time.Time
	// ArrivedDate is the civil date of ArrivedAt in the site's time zone
	// (midnight UTC of that date): periods are cut in local time.
	ArrivedDate time.Time
	AnsweredAt  *time.Time // nil when never answered
	EndedAt     *time.Time
	Outcome     Outcome
	Motive      string
	UserRef     string // pseudonymised at ingest, never the raw identifier
	Team        string
	// AskedAgent tells whether the caller asked for an agent (the voice
	// menu's choice); nil when not sent: then true on the phone channel
	// and false elsewhere (AgentAsked). A pointer, so that a record spooled
	// before the field existed reads as not sent.
	AskedAgent *bool
	// CaseID names the back-office case the contact is about (a user
	// chasing their file), "" when none: it links the front office to
	// the back office (journeys).
	CaseID string
	// Segment is the user's coarse segment from the configured list
	// (priority_public, first_request, assisted…), "" when not known.
	Segment string
}

// ChannelPhone is the phone channel, where asked_agent defaults to true.
const ChannelPhone Channel = "phone"

// AgentAsked is AskedAgent, or its default when not sent: true on the
// phone channel only.
func (c *Contact) AgentAsked() bool {
	if c.AskedAgent != nil {
		return *c.AskedAgent
	}
	return c.Channel == ChannelPhone
}

// DefaultSegments are the user segments accepted when none are configured:
// coarse groups a director compares the service of (issue 16's equity).
var DefaultSegments = []string{"priority_public", "first_request", "assisted"}

// CaseStatus is where a back-office case stands.
type CaseStatus string

// The case statuses.
const (
	CaseOpen      CaseStatus = "open"
	CaseCompleted CaseStatus = "completed"
	CaseCancelled CaseStatus = "cancelled"
)

// CaseStatuses lists every case status.
var CaseStatuses = []CaseStatus{CaseOpen, CaseCompleted, CaseCancelled}

// Valid reports whether s is one of CaseStatuses.
func (s CaseStatus) Valid() bool { return oneOf(s, CaseStatuses) }

// CaseKind is the kind of back-office file (reimbursement, claim…); the list
// is configuration.
type CaseKind string

// DefaultCaseKinds is the case-kind list used when none is configured.
var DefaultCaseKinds = []CaseKind{"reimbursement", "allowance_payment", "registration", "claim", "email_reply", "mail_reply", "complaint", "sick_pay"}

// Case is one back-office file. Cases change over time: the version with the
// latest UpdatedAt wins.
type Case struct {
	Source      string
	ID          string
	Site        string
	Kind        CaseKind
	Channel     Channel // where it was submitted
	ReceivedAt  time.Time
	CompletedAt *time.Time // nil while open
	// ReceivedDate and CompletedDate are the civil dates in the site's time
	// zone: delays in days count local dates.
	ReceivedDate  time.Time
	CompletedDate *time.Time
	Status        CaseStatus
	UserRef       string
	UpdatedAt     time.Time
	// AcknowledgedAt is when receipt was acknowledged to the user (nil:
	// none sent, or not exported); AcknowledgedDate its local date.
	AcknowledgedAt   *time.Time
	AcknowledgedDate *time.Time
	// AnnouncedDays is the delay announced to the user, in calendar days
	// (nil: none announced, which is not 0: "today").
	AnnouncedDays *uint32
	// PausedSeconds is the time the case waited on the user or a third
	// party (an employer's document…), at most its elapsed time.
	PausedSeconds uint32
	// OriginContactID is the id of the contact that opened the case, ""
	// when not known (issue 16's journeys).
	OriginContactID string
	// Segment is the user's coarse segment, as on contacts.
	Segment string
}

// SurveyMode is how a survey was answered.
type SurveyMode string

// The survey modes.
const (
	ModeEmail          SurveyMode = "email"
	ModeSMS            SurveyMode = "sms"
	ModeKiosk          SurveyMode = "kiosk"
	ModeWeb            SurveyMode = "web"
	ModePhone          SurveyMode = "phone"
	ModeMysteryShopper SurveyMode = "mystery_shopper"
)

// SurveyModes lists every survey mode.
var SurveyModes = []SurveyMode{ModeEmail, ModeSMS, ModeKiosk, ModeWeb, ModePhone, ModeMysteryShopper}

// Valid reports whether m is one of SurveyModes.
func (m SurveyMode) Valid() bool { return oneOf(m, SurveyModes) }

// Scale is the declared score scale of a survey response.
type Scale string

// The score scales.
const (
	Scale1to4  Scale = "1-4"
	Scale1to5  Scale = "1-5"
	Scale0to10 Scale = "0-10"
)

// Scales lists every scale.
var Scales = []Scale{Scale1to4, Scale1to5, Scale0to10}

// Valid reports whether s is one of Scales.
func (s Scale) Valid() bool { return oneOf(s, Scales) }

// Bounds returns the lowest and highest score on the scale.
func (s Scale) Bounds() (lo, hi int) {
	switch s {
	case Scale1to4:
		return 1, 4
	case Scale1to5:
		return 1, 5
	case Scale0to10:
		return 0, 10
	}
	return 0, -1
}

// SurveyResponse is one answer to a satisfaction survey, with one score per
// dimension (overall, courtesy, …). Comment is personal data: it never
// reaches public output.
type SurveyResponse struct {
	Source     string
	ID         string
	Site       string
	Channel    Channel // the channel being rated
	Survey     string
	Mode       SurveyMode
	AnsweredAt time.Time
	// AnsweredDate is the civil date of AnsweredAt in the site's time zone.
	AnsweredDate time.Time
	ContactID    string // optional link to the rated contact
	// Scale is the response's scale: the scale of every score that has
	// none of its own in Scales.
	Scale  Scale
	Scores map[string]int
	// Scales are, by dimension, the scores' own scales (sent as
	// scale_<dimension> or configured for the dimension) where they
	// differ from Scale: a recommendation on 0–10 beside an overall score
	// on 1–5. Nil in records spooled before scores had their own.
	Scales  map[string]Scale
	Comment string
}

// ScaleOf is the scale of the score on dimension dim.
func (r *SurveyResponse) ScaleOf(dim string) Scale {
	if s, ok := r.Scales[dim]; ok {
		return s
	}
	return r.Scale
}

// ScopeKind is the level at which results are pooled.
type ScopeKind string

// The scope levels, from the narrowest.
const (
	ScopeSite       ScopeKind = "site"
	ScopeDepartment ScopeKind = "department"
	ScopeRegion     ScopeKind = "region"
	ScopeNational   ScopeKind = "national"
)

// ScopeKinds lists the scope levels from the narrowest to the widest.
var ScopeKinds = []ScopeKind{ScopeSite, ScopeDepartment, ScopeRegion, ScopeNational}

// Valid reports whether k is one of ScopeKinds.
func (k ScopeKind) Valid() bool { return oneOf(k, ScopeKinds) }

// Target is a management target for one indicator, scope and year, with who
// set it and when; older values are kept as history.
type Target struct {
	Indicator string
	Scope     ScopeKind
	ScopeID   string // empty for national
	Year      int
	Value     float64
	SetBy     string
	SetAt     time.Time
}

// LocalDate is the civil date of t in loc, as midnight UTC of that date
// (the form ClickHouse's Date columns take).
func LocalDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func oneOf[T comparable](v T, list []T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Role is what an API token may do (see package auth for the rules).
type Role string

// The roles.
const (
	RoleAdmin     Role = "admin"     // everything, rejects' raw text and tokens included
	RoleDirector  Role = "director"  // reads everything, sets targets, closes periods
	RoleManager   Role = "manager"   // reads its sites only
	RoleCollector Role = "collector" // writes records only, for its sources and sites
)

// Roles lists the roles.
var Roles = []Role{RoleAdmin, RoleDirector, RoleManager, RoleCollector}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return oneOf(r, Roles) }

// Token is an API bearer token as stored: only the SHA-256 of its secret
// is kept, so that the secret is shown once, when created, and never again.
type Token struct {
	ID        string
	Name      string
	Role      Role
	Sites     []string // manager: the sites it reads; collector: the sites it may write for (empty: any)
	Sources   []string // collector: the sources it may write for (empty: any)
	Hash      string   // hex SHA-256 of the secret
	CreatedAt time.Time
	CreatedBy string
	ExpiresAt time.Time // zero: never
	RevokedAt time.Time // zero: not revoked
}
