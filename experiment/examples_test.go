package experiment

import (
	"path/filepath"
	"testing"
)

// TestExamplesParse: the repository's experiment files (experiments.yaml
// and examples/, which the README runs) parse with this exp.
func TestExamplesParse(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v, %d files", err, len(files))
	}
	for _, f := range append(files, "../experiments.yaml") {
		if _, err := Load(t.Context(), f); err != nil {
			t.Errorf("%v", err)
		}
	}
}
