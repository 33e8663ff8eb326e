package store

import (
	"context"
	"sort"
	"time"

	"globaloffice/model"
)

// The inserts of contacts, cases and survey responses, each table's
// columns given once by its spec (see rowWriter).

func contactColumns(w *rowWriter, r *model.Contact, ingestedAt time.Time) {
	w.str("source").put(r.Source)
	w.str("id").put(r.ID)
	w.str("site").put(r.Site)
	w.str("channel").put(string(r.Channel))
	w.dateTime("arrived_at").put(r.ArrivedAt)
	w.date("arrived_date").put(r.ArrivedDate)
	w.nullDateTime("answered_at").put(r.AnsweredAt)
	w.nullDateTime("ended_at").put(r.EndedAt)
	w.enum("outcome").put(string(r.Outcome))
	w.str("motive").put(r.Motive)
	w.str("user_ref").put(r.UserRef)
	w.str("team").put(r.Team)
	w.dateTime("ingested_at").put(ingestedAt)
	w.flag("asked_agent").put(r.AgentAsked())
	w.str("case_id").put(r.CaseID)
	w.str("segment").put(r.Segment)
}

var contactsTable = newTable("contacts", "insert contacts", func(w *rowWriter) {
	contactColumns(w, &model.Contact{}, time.Time{})
})

// InsertContacts writes contacts as one insert.
func (db *DB) InsertContacts(ctx context.Context, rows []model.Contact, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	cb, err := db.NewContactBatch(ctx, ingestedAt)
	if err != nil {
		return err
	}
	for i := range rows {
		cb.Append(&rows[i])
	}
	return cb.Send()
}

// ContactBatch is one insert of contacts filled over time. Rows are encoded
// into the native columns as they are appended, so a caller gathering a
// large insert need not keep the rows themselves. It holds a connection
// until Send or Abort.
type ContactBatch struct {
	ins        *insert
	ingestedAt time.Time
}

// NewContactBatch starts an insert of contacts; ctx bounds it until Send.
func (db *DB) NewContactBatch(ctx context.Context, ingestedAt time.Time) (*ContactBatch, error) {
	ins, err := newInsert(ctx, db, contactsTable)
	if err != nil {
		return nil, err
	}
	return &ContactBatch{ins: ins, ingestedAt: ingestedAt}, nil
}

// Append adds one contact.
func (cb *ContactBatch) Append(r *model.Contact) { contactColumns(cb.ins.row(), r, cb.ingestedAt) }

// Rows is the number of contacts appended.
func (cb *ContactBatch) Rows() int { return cb.ins.rows }

// Send writes the insert (nothing when no row was appended).
func (cb *ContactBatch) Send() error { return cb.ins.send() }

// Abort gives the insert up.
func (cb *ContactBatch) Abort() { cb.ins.abort() }

func caseColumns(w *rowWriter, r *model.Case, ingestedAt time.Time) {
	w.str("source").put(r.Source)
	w.str("id").put(r.ID)
	w.str("site").put(r.Site)
	w.str("kind").put(string(r.Kind))
	w.str("channel").put(string(r.Channel))
	w.dateTime("received_at").put(r.ReceivedAt)
	w.date("received_date").put(r.ReceivedDate)
	w.nullDateTime("completed_at").put(r.CompletedAt)
	w.nullDate("completed_date").put(r.CompletedDate)
	w.enum("status").put(string(r.Status))
	w.str("user_ref").put(r.UserRef)
	w.dateTime("updated_at").put(r.UpdatedAt)
	w.dateTime("ingested_at").put(ingestedAt)
	caseFollowUpColumns(w, r)
	w.str("origin_contact_id").put(r.OriginContactID)
	w.str("segment").put(r.Segment)
}

// caseFollowUpColumns writes a version's acknowledgement, announced delay
// and paused time (migration 0006), in cases and case_completions alike.
func caseFollowUpColumns(w *rowWriter, r *model.Case) {
	w.nullDateTime("acknowledged_at").put(r.AcknowledgedAt)
	w.nullDate("acknowledged_date").put(r.AcknowledgedDate)
	w.nullUint32("announced_days").put(r.AnnouncedDays)
	w.uint32("paused_seconds").put(r.PausedSeconds)
}

var casesTable = newTable("cases", "insert cases", func(w *rowWriter) {
	caseColumns(w, &model.Case{}, time.Time{})
})

// InsertCases writes case versions as one insert, after their entries in
// case_completions (see completionEntries): stale gives, by case, the
// months in which a stored version was completed (CompletionMonths), where
// the newest version of the batch takes that completion out; nil looks
// them up for every case of the batch (ingest passes what it found while
// deduping, so that new cases cost no lookup). The completions go first: if the versions then fail, the whole batch is
// written again later (ingest spools it and dedupes it against the cases
// table), and entries written twice collapse.
func (db *DB) InsertCases(ctx context.Context, rows []model.Case, stale map[CaseKey][]int, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	if stale == nil {
		var err error
		if stale, err = db.staleMonths(ctx, rows); err != nil {
			return err
		}
	}
	if err := db.writeCompletions(ctx, completionEntries(rows, stale), ingestedAt); err != nil {
		return err
	}
	ins, err := newInsert(ctx, db, casesTable)
	if err != nil {
		return err
	}
	for i := range rows {
		caseColumns(ins.row(), &rows[i], ingestedAt)
	}
	return ins.send()
}

// surveyColumns writes a response whose scores are dims, in name order,
// their values and their scales.
func surveyColumns(w *rowWriter, r *model.SurveyResponse, dims []string, scores []uint8, scales []string, ingestedAt time.Time) {
	w.str("source").put(r.Source)
	w.str("id").put(r.ID)
	w.str("site").put(r.Site)
	w.str("channel").put(string(r.Channel))
	w.str("survey").put(r.Survey)
	w.enum("mode").put(string(r.Mode))
	w.dateTime("answered_at").put(r.AnsweredAt)
	w.date("answered_date").put(r.AnsweredDate)
	w.str("contact_id").put(r.ContactID)
	w.enum("scale").put(string(r.Scale))
	w.strArray("dimensions").put(dims)
	w.uint8Array("scores").put(scores)
	w.str("comment").put(r.Comment)
	w.dateTime("ingested_at").put(ingestedAt)
	w.enumArray("scales").put(scales)
}

var surveysTable = newTable("survey_responses", "insert surveys", func(w *rowWriter) {
	surveyColumns(w, &model.SurveyResponse{}, nil, nil, nil, time.Time{})
})

// InsertSurveys writes survey responses as one insert, each response's
// scores as dimensions in name order, their values and their scales (the
// response's where a score has none of its own).
func (db *DB) InsertSurveys(ctx context.Context, rows []model.SurveyResponse, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	ins, err := newInsert(ctx, db, surveysTable)
	if err != nil {
		return err
	}
	var dims []string
	var scores []uint8
	var scales []string
	for i := range rows {
		r := &rows[i]
		dims = dims[:0]
		for d := range r.Scores {
			dims = append(dims, d)
		}
		sort.Strings(dims)
		scores, scales = scores[:0], scales[:0]
		for _, d := range dims {
			scores = append(scores, uint8(r.Scores[d]))
			scales = append(scales, string(r.ScaleOf(d)))
		}
		surveyColumns(ins.row(), r, dims, scores, scales, ingestedAt)
	}
	return ins.send()
}
