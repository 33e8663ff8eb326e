package ingest

import (
	"time"

	"globaloffice/model"
	"globaloffice/store"
)

// Record is one validated record on its way to ClickHouse, or a reject to
// keep. Exactly one pointer is set. It is also the spool's line format, so
// spooled data holds pseudonymised references only.
type Record struct {
	Contact *model.Contact        `json:"contact,omitempty"`
	Case    *model.Case           `json:"case,omitempty"`
	Survey  *model.SurveyResponse `json:"survey,omitempty"`
	Reject  *store.Reject         `json:"reject,omitempty"`
}

// kind is where the record goes: contacts, cases, surveys or rejects.
func (r Record) kind() string {
	switch {
	case r.Contact != nil:
		return "contacts"
	case r.Case != nil:
		return "cases"
	case r.Survey != nil:
		return "surveys"
	}
	return "rejects"
}

type recordKey struct{ source, id string }

func (r Record) key() recordKey {
	switch {
	case r.Contact != nil:
		return recordKey{r.Contact.Source, r.Contact.ID}
	case r.Case != nil:
		return recordKey{r.Case.Source, r.Case.ID}
	case r.Survey != nil:
		return recordKey{r.Survey.Source, r.Survey.ID}
	}
	return recordKey{}
}

// version orders versions of one case; other records have one version.
func (r Record) version() time.Time {
	if r.Case != nil {
		return r.Case.UpdatedAt
	}
	return time.Time{}
}

// month is the record's partition: toYYYYMM of its partition key, the local
// date of the event (the rejected time for rejects).
func (r Record) month() int {
	var t time.Time
	switch {
	case r.Contact != nil:
		t = r.Contact.ArrivedDate
	case r.Case != nil:
		return 0 // cases are partitioned by a hash of the id: 16 partitions at most
	case r.Survey != nil:
		t = r.Survey.AnsweredDate
	case r.Reject != nil:
		t = r.Reject.RejectedAt
	}
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

func (r Record) source() string {
	if r.Reject != nil {
		return r.Reject.Source
	}
	return r.key().source
}
