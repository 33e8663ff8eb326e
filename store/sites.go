package store

import (
	"context"
	"fmt"
	"time"

	"globaloffice/model"
)

// UpsertSites writes sites in one insert (one block, so all or nothing); a
// site already present is replaced. Opening hours are stored as written and
// as week seconds (open_from, open_to), which the indicators read.
func (db *DB) UpsertSites(ctx context.Context, sites []model.Site) error {
	if len(sites) == 0 {
		return nil
	}
	batch, err := db.conn.PrepareBatch(ctx, `INSERT INTO sites (id, name, kind, region, department, zone, timezone, updated_at, hours, open_from, open_to)`)
	if err != nil {
		return fmt.Errorf("insert sites: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	for _, s := range sites {
		hours, err := model.ParseHours(s.Hours)
		if err != nil {
			batch.Abort()
			return fmt.Errorf("insert sites: site %q: hours: %w", s.ID, err)
		}
		from, to := hours.Bounds()
		if err := batch.Append(s.ID, s.Name, string(s.Kind), s.Region, s.Department, string(s.Zone), s.Timezone, now, s.Hours, from, to); err != nil {
			batch.Abort()
			return fmt.Errorf("insert sites: site %q: %w", s.ID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert sites: %w", err)
	}
	return nil
}

// Sites lists every site, ordered by id.
func (db *DB) Sites(ctx context.Context) ([]model.Site, error) {
	rows, err := db.conn.Query(ctx, `SELECT id, name, kind, region, department, toString(zone), timezone, hours FROM sites FINAL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list sites: %w", err)
	}
	defer rows.Close()
	var out []model.Site
	for rows.Next() {
		var s model.Site
		var kind, zone string
		if err := rows.Scan(&s.ID, &s.Name, &kind, &s.Region, &s.Department, &zone, &s.Timezone, &s.Hours); err != nil {
			return nil, fmt.Errorf("list sites: %w", err)
		}
		s.Kind, s.Zone = model.SiteKind(kind), model.Zone(zone)
		out = append(out, s)
	}
	return out, rows.Err()
}
