package store

import (
	"reflect"
	"testing"
)

// The tables' INSERT statements and kinds come from their specs; these are
// the schema's columns (migrations/0001_schema.sql) in the order written,
// then those added later (0006: acknowledgement and pause, 0007:
// asked_agent, 0010: journeys).
func TestTablesFromSpecs(t *testing.T) {
	for _, tt := range []struct {
		table *table
		query string
		kinds []colKind
	}{
		{contactsTable,
			"INSERT INTO contacts (source, id, site, channel, arrived_at, arrived_date, answered_at, ended_at, outcome, motive, user_ref, team, ingested_at, asked_agent, case_id, segment)",
			[]colKind{kindStr, kindStr, kindStr, kindStr, kindDateTime, kindDate, kindNullDateTime, kindNullDateTime, kindEnum8, kindStr, kindStr, kindStr, kindDateTime, kindUInt8, kindStr, kindStr}},
		{casesTable,
			"INSERT INTO cases (source, id, site, kind, channel, received_at, received_date, completed_at, completed_date, status, user_ref, updated_at, ingested_at, acknowledged_at, acknowledged_date, announced_days, paused_seconds, origin_contact_id, segment)",
			[]colKind{kindStr, kindStr, kindStr, kindStr, kindStr, kindDateTime, kindDate, kindNullDateTime, kindNullDate, kindEnum8, kindStr, kindDateTime, kindDateTime,
				kindNullDateTime, kindNullDate, kindNullUInt32, kindUInt32, kindStr, kindStr}},
		{surveysTable,
			"INSERT INTO survey_responses (source, id, site, channel, survey, mode, answered_at, answered_date, contact_id, scale, dimensions, scores, comment, ingested_at, scales)",
			[]colKind{kindStr, kindStr, kindStr, kindStr, kindStr, kindEnum8, kindDateTime, kindDate, kindStr, kindEnum8, kindStrArray, kindUInt8Array, kindStr, kindDateTime, kindEnum8Array}},
	} {
		if tt.table.query != tt.query {
			t.Errorf("query %q\nwant %q", tt.table.query, tt.query)
		}
		if !reflect.DeepEqual(tt.table.kinds, tt.kinds) {
			t.Errorf("%s: kinds %v, want %v", tt.table.what, tt.table.kinds, tt.kinds)
		}
	}
}
