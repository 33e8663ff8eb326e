package exports

import (
	"encoding/json"
	"io"
)

// Field is a column of the open data, as a Frictionless Table Schema field
// (https://specs.frictionlessdata.io/table-schema/).
type Field struct {
	Name        string       `json:"name"`
	Type        string       `json:"type"`
	Format      string       `json:"format,omitempty"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Unit        string       `json:"unit,omitempty"` // a documentation extension: the values' unit
	Constraints *Constraints `json:"constraints,omitempty"`
}

// Constraints of a Table Schema field.
type Constraints struct {
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	Minimum  *float64 `json:"minimum,omitempty"`
	Maximum  *float64 `json:"maximum,omitempty"`
}

var (
	required = &Constraints{Required: true}
	zero     = 0.0
)

// OpenFields are the open data's columns, in order: the one list the CSV,
// the JSON and schema.json come from. Changing it is a new schema version.
var OpenFields = []Field{
	{Name: "period", Type: "string", Title: "Période", Description: "the closed period: 2026-05-14, 2026-W19, 2026-05, 2026-Q2, 2026, 2026-05-r12 (the twelve months ending May 2026) or FROM..TO", Constraints: required},
	{Name: "period_start", Type: "date", Title: "Début", Description: "its first day (local date of each site)", Constraints: required},
	{Name: "period_end", Type: "date", Title: "Fin", Description: "its last day, included", Constraints: required},
	{Name: "scope", Type: "string", Title: "Échelon", Description: "national, region, department or site; a scope pools its sites' events", Constraints: &Constraints{Required: true, Enum: []string{"national", "region", "department", "site"}}},
	{Name: "scope_id", Type: "string", Title: "Identifiant", Description: "the region or department code (INSEE), the site id; empty for national"},
	{Name: "scope_name", Type: "string", Title: "Nom", Description: "the site's name; Région CODE, Département CODE or France", Constraints: required},
	{Name: "region_id", Type: "string", Title: "Région", Description: "the region the scope is in (empty for national)"},
	{Name: "department_id", Type: "string", Title: "Département", Description: "the department the scope is in (sites and departments)"},
	{Name: "site_id", Type: "string", Title: "Site", Description: "the site (site rows only)"},
	{Name: "indicator", Type: "string", Title: "Indicateur", Description: "the indicator's id, stable across publications", Constraints: required},
	{Name: "title_fr", Type: "string", Title: "Intitulé", Description: "the indicator's title in French", Constraints: required},
	{Name: "title_en", Type: "string", Title: "Title", Description: "the indicator's title in English", Constraints: required},
	{Name: "unit", Type: "string", Title: "Unité", Description: "the unit of value, ci_low, ci_high and target", Constraints: &Constraints{Required: true, Enum: []string{"percent", "minutes", "seconds", "days", "working_days", "points", "score", "count", "per_100", "handoffs"}}},
	{Name: "value", Type: "number", Title: "Valeur", Description: "the result, in unit (85.3 for 85.3 %)", Constraints: required},
	{Name: "meeting", Type: "number", Title: "Conformes", Description: "for shares: the count meeting the commitment", Constraints: &Constraints{Minimum: &zero}},
	{Name: "counted", Type: "number", Title: "Comptés", Description: "for shares: the total counted", Constraints: &Constraints{Minimum: &zero}},
	{Name: "sample", Type: "integer", Title: "Échantillon", Description: "the number of observations (at least the indicator's minimum sample)", Unit: "count", Constraints: &Constraints{Required: true, Minimum: &zero}},
	{Name: "ci_low", Type: "number", Title: "IC bas", Description: "for shares: lower bound of the 95% Wilson interval, in percent", Unit: "percent", Constraints: &Constraints{Minimum: &zero, Maximum: ptr(100.0)}},
	{Name: "ci_high", Type: "number", Title: "IC haut", Description: "for shares: upper bound of the 95% Wilson interval, in percent", Unit: "percent", Constraints: &Constraints{Minimum: &zero, Maximum: ptr(100.0)}},
	{Name: "target", Type: "number", Title: "Cible", Description: "the target in force (the nearest of site, department, region, national), in unit"},
	{Name: "met", Type: "boolean", Title: "Atteint", Description: "whether the target is met; empty without a target"},
	{Name: "status", Type: "string", Title: "Statut", Description: "met, missed or no_target", Constraints: &Constraints{Required: true, Enum: []string{"met", "missed", "no_target"}}},
	{Name: "revision", Type: "integer", Title: "Révision", Description: "the revision of the closed period (a period closed again gets a new one)", Constraints: &Constraints{Required: true, Minimum: ptr(1.0)}},
	{Name: "closed_at", Type: "datetime", Title: "Clos le", Description: "when the revision was closed, UTC", Constraints: required},
	{Name: "method", Type: "string", Format: "uri", Title: "Méthode", Description: "the method in words (fr, en)", Constraints: required},
	// Added with issue 14, at the end so that readers by position keep
	// working.
	{Name: "version", Type: "integer", Title: "Version", Description: "the version of the indicator's definition the result was computed with; results of different versions are not comparable (a series break)", Constraints: &Constraints{Required: true, Minimum: ptr(1.0)}},
	{Name: "version_since", Type: "date", Title: "Version depuis", Description: "the date that version took effect; empty: from the beginning"},
	{Name: "spread_sites", Type: "integer", Title: "Sites comptés", Description: "departments, regions and nation: how many of their sites have at least the indicator's minimum sample (the spread is over these)", Unit: "count", Constraints: &Constraints{Minimum: &zero}},
	{Name: "spread_min", Type: "number", Title: "Minimum des sites", Description: "the lowest of those sites' values, in unit"},
	{Name: "spread_p10", Type: "number", Title: "10e centile des sites", Description: "the 10th percentile of those sites' values (nearest rank: the ⌈0.1·n⌉-th in ascending order), in unit"},
	{Name: "spread_median", Type: "number", Title: "Médiane des sites", Description: "the median of those sites' values (nearest rank: the ⌈0.5·n⌉-th), in unit"},
	{Name: "spread_p90", Type: "number", Title: "90e centile des sites", Description: "the 90th percentile of those sites' values (nearest rank: the ⌈0.9·n⌉-th), in unit"},
	{Name: "spread_max", Type: "number", Title: "Maximum des sites", Description: "the highest of those sites' values, in unit"},
	{Name: "spread_missed", Type: "integer", Title: "Sites hors objectif", Description: "how many of those sites missed their own target", Unit: "count", Constraints: &Constraints{Minimum: &zero}},
}

// Schema is the Table Schema of the open data.
type Schema struct {
	Fields        []Field  `json:"fields"`
	PrimaryKey    []string `json:"primaryKey"`
	MissingValues []string `json:"missingValues"`
}

// OpenSchema is schema.json.
func OpenSchema() Schema {
	return Schema{Fields: OpenFields, PrimaryKey: []string{"period", "scope", "scope_id", "indicator"}, MissingValues: []string{""}}
}

// DataPackage is datapackage.json: the two files and their schema, under
// the Licence Ouverte 2.0 of French public open data.
func DataPackage() map[string]any {
	res := func(name, path, format, media string) map[string]any {
		return map[string]any{"name": name, "path": path, "format": format, "mediatype": media, "encoding": "utf-8", "schema": "schema.json"}
	}
	return map[string]any{
		"name":        "globaloffice-results",
		"title":       "Qualité de service : résultats publiés",
		"description": "The published quality-of-service results of closed periods, with enough sample, by site, department, region and nation: value, count meeting the commitment, total counted, 95% interval, target and status. One row per period × scope × indicator; rows ordered by period, scope (national, regions, departments, sites), scope id and indicator.",
		"licenses":    []map[string]string{{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}},
		"resources":   []map[string]any{res("results", "results.csv", "csv", "text/csv"), res("results-json", "results.json", "json", "application/json")},
	}
}

// WriteJSON writes v as indented JSON (schema.json, datapackage.json).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
