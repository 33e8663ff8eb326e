package store_test

import (
	"context"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store/chtest"
)

// TestPhonePlanColumns: migration 0007. Sites keep their opening hours as
// written and as week seconds; a contact stored without asked_agent (as
// before the migration) reads as asked on the phone only; the outcome
// takes transferred and deflected.
func TestPhonePlanColumns(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sites := []model.Site{
		{ID: "PF-IDF", Name: "Plateforme", Kind: model.SitePhonePlatform, Region: "11", Department: "93", Zone: model.ZoneMetropole, Timezone: "Europe/Paris", Hours: "mon 08:30-12:00; sun 10:00-24:00"},
		{ID: "PAR-11", Name: "Paris 11e", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	}
	if err := db.UpsertSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sites(ctx)
	if err != nil || len(got) != 2 || got[0] != sites[1] || got[1] != sites[0] {
		t.Fatalf("sites %+v, %v", got, err)
	}
	var from, to []uint32
	if err := db.Conn().QueryRow(ctx, "SELECT open_from, open_to FROM sites FINAL WHERE id = 'PF-IDF'").Scan(&from, &to); err != nil {
		t.Fatal(err)
	}
	// Monday 08:30 = 30600 s, 12:00 = 43200; Sunday 10:00 = 6 × 86400 + 36000.
	if len(from) != 2 || from[0] != 30600 || to[0] != 43200 || from[1] != 554400 || to[1] != 604800 {
		t.Errorf("open_from %v, open_to %v", from, to)
	}
	if err := db.Conn().Exec(ctx, `INSERT INTO contacts (source, id, site, channel, arrived_at, arrived_date, outcome, ingested_at)
		SELECT 's', concat('C', toString(number)), 'PAR-11', if(number = 0, 'phone', 'reception'), toDateTime('2026-05-14 08:00:00', 'UTC'), toDate('2026-05-14'),
		       if(number = 0, 'transferred', 'deflected'), now() FROM system.numbers LIMIT 2`); err != nil {
		t.Fatal(err)
	}
	var phone, reception uint64
	if err := db.Conn().QueryRow(ctx, "SELECT toUInt64(sumIf(asked_agent, id = 'C0')), toUInt64(sumIf(asked_agent, id = 'C1')) FROM contacts WHERE toString(outcome) IN ('transferred', 'deflected')").Scan(&phone, &reception); err != nil {
		t.Fatal(err)
	}
	if phone != 1 || reception != 0 {
		t.Errorf("asked_agent by default: phone %d, reception %d; want 1, 0", phone, reception)
	}
}
