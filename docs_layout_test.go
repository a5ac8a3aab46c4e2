package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeLayout: the README's Layout section names every top-level
// directory of the repository (hidden ones aside), so that a new package
// is added to the map of the code.
func TestReadmeLayout(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, layout, ok := strings.Cut(string(b), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no section \"## Layout\"")
	}
	if i := strings.Index(layout, "\n## "); i >= 0 {
		layout = layout[:i]
	}
	named := map[string]bool{}
	for _, line := range strings.Split(layout, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasSuffix(f[0], "/") {
			named[f[0]] = true
		}
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !named[e.Name()+"/"] {
			t.Errorf("README.md, Layout: directory %s/ is not named", e.Name())
		}
	}
}
