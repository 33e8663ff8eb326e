package store_test

import (
	"context"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store/chtest"
)

func TestSitesUpsertAndList(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in := []model.Site{
		{ID: "STR-67", Name: "Strasbourg", Kind: model.SiteAgency, Region: "44", Department: "67", Zone: model.ZoneAlsaceMoselle, Timezone: "Europe/Paris"},
		{ID: "CAY-973", Name: "Cayenne", Kind: model.SiteAgency, Region: "03", Department: "973", Zone: model.ZoneGuyane, Timezone: "America/Cayenne"},
	}
	if err := db.UpsertSites(ctx, in); err != nil {
		t.Fatal(err)
	}
	// Re-importing a site replaces it rather than adding a second row; the
	// version is updated_at (seconds), so wait for the next second.
	time.Sleep(1100 * time.Millisecond)
	renamed := in[0]
	renamed.Name = "Strasbourg - Étoile"
	if err := db.UpsertSites(ctx, []model.Site{renamed}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Site{in[1], renamed} // ordered by id
	if len(got) != len(want) {
		t.Fatalf("got %d sites %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("site %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
