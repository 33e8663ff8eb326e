// Package demo generates realistic, seeded sample data for globaloffice: the
// files that the collectors ingest (front-office contacts, back-office case
// versions and survey responses) for a set of sites over a date range.
//
// Generate writes, for every month M of the range:
//
//	DIR/contacts/contacts-YYYY-MM.csv  id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team,asked_agent,case_id,segment
//	DIR/cases/cases-YYYY-MM.ndjson     {"id","source","site","kind","channel","received_at","completed_at","status","user_ref","updated_at"[,"acknowledged_at"][,"announced_days"][,"paused_seconds"][,"origin_contact_id"][,"segment"]}
//	DIR/surveys/surveys-YYYY-MM.csv    id,source,site,channel,survey,mode,answered_at,contact_id,scale,score_overall,score_courtesy,score_clarity,score_delay,score_recommend,scale_recommend,comment
//
// A record goes into the file of the month, in its site's local time, of the
// event it reports: a contact's arrival, a case version's update, a survey's
// answer. So a case received in March and completed in April is an open
// version in March's file and a completed version in April's. Nothing is
// written for events on or after To: cases not completed by then stay open.
//
// Times are RFC 3339. The queue-management system (source qms: reception,
// appointment and proximity contacts) exports the site's local time without
// offset (2026-05-14T09:03:12); every other time is UTC with Z. Sources are
// qms, acd (phone), crm (e-mail, mail, online, video), cms (cases) and survey.
//
// The data follow opening hours, public holidays of each site's zone (package
// calendar), weekly, seasonal and intra-day load, waits that grow with load,
// site quality, case backlogs, acknowledgements of receipt (online at
// once, e-mails in days, letters in about a week), delays announced to
// users, time cases wait on users or third parties (sick pay most often),
// satisfaction that drops with waits, and users who come back on another
// channel. A small share of records is deliberately
// invalid (Options.BadRate) and some are re-sent in a later month's file
// (Options.DupRate), to exercise the collectors.
//
// The same seed and options give byte-identical files, whatever the number
// of goroutines. Memory stays bounded: the generator works one site-month at
// a time, carrying only records that belong to later months (case
// completions, late survey answers, re-sent duplicates).
package demo
