package grafana

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"globaloffice/indicators"
)

// DefaultDir is where the generated dashboards are committed and where
// the provisioning's dashboards provider reads them.
const DefaultDir = "grafana/provisioning/dashboards"

// Generate writes the catalog's dashboards into dir and returns their
// paths.
func Generate(cat *indicators.Catalog, dir string) ([]string, error) {
	files, _, err := Dashboards(cat)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dashboards folder: %w", err)
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, f.JSON, 0o644); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", f.Name, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// Stale lists the dashboards in dir that differ from what Generate would
// write (missing ones included).
func Stale(cat *indicators.Catalog, dir string) ([]string, error) {
	files, _, err := Dashboards(cat)
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil || !bytes.Equal(b, f.JSON) {
			stale = append(stale, f.Name)
		}
	}
	return stale, nil
}
