package store

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// schemaDoc is the schema reference, relative to this package.
const schemaDoc = "../docs/schema.md"

// docSection returns the text of doc under the heading "### `name`", up to
// the next heading, and whether there is one.
func docSection(doc, name string) (string, bool) {
	head := "### `" + name + "`\n"
	i := strings.Index(doc, head)
	if i < 0 {
		return "", false
	}
	rest := doc[i+len(head):]
	if j := regexp.MustCompile(`(?m)^#{2,3} `).FindStringIndex(rest); j != nil {
		rest = rest[:j[0]]
	}
	return rest, true
}

// TestSchemaDocumented: docs/schema.md has a section for every table and
// view of a database at the current schema, naming each of its columns in
// backticks, and names every index exp created. A migration that adds a
// column fails here until the reference documents it.
func TestSchemaDocumented(t *testing.T) {
	b, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	db, _ := openTestDB(t)
	rows, err := db.SQL().Query(`SELECT type, name FROM sqlite_schema
		WHERE type IN ('table', 'view', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	type object struct{ kind, name string }
	var objects []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.kind, &o.name); err != nil {
			t.Fatal(err)
		}
		objects = append(objects, o)
	}
	rows.Close()
	if len(objects) < 10 {
		t.Fatalf("found %d tables, views and indexes, want at least 10", len(objects))
	}
	for _, o := range objects {
		if o.kind == "index" {
			if !strings.Contains(doc, "`"+o.name+"`") {
				t.Errorf("%s: index %s is not documented", schemaDoc, o.name)
			}
			continue
		}
		section, ok := docSection(doc, o.name)
		if !ok {
			t.Errorf("%s: no section \"### `%s`\" for %s %s", schemaDoc, o.name, o.kind, o.name)
			continue
		}
		cols, err := db.SQL().Query(`SELECT name FROM pragma_table_info(?)`, o.name)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for cols.Next() {
			var c string
			if err := cols.Scan(&c); err != nil {
				t.Fatal(err)
			}
			n++
			if !strings.Contains(section, "`"+c+"`") {
				t.Errorf("%s: column %s.%s is not documented in its section", schemaDoc, o.name, c)
			}
		}
		cols.Close()
		if n == 0 {
			t.Errorf("%s %s has no columns", o.kind, o.name)
		}
	}
}

// TestSchemaIDsRelate: the diagram under "How the ids relate" in
// docs/schema.md names every table that holds a run's rows, so that a
// migration that adds one adds it there too.
func TestSchemaIDsRelate(t *testing.T) {
	b, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "## How the ids relate\n")
	if i < 0 {
		t.Fatalf("%s: no section \"## How the ids relate\"", schemaDoc)
	}
	section := doc[i:]
	if j := strings.Index(section[1:], "\n## "); j >= 0 {
		section = section[:j+1]
	}
	db, _ := openTestDB(t)
	rows, err := db.SQL().Query(`SELECT name FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !regexp.MustCompile(`\b` + name + ` \(`).MatchString(section) {
			t.Errorf("%s: the diagram of how the ids relate does not show table %s", schemaDoc, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Errorf("found %d tables, want at least 5", n)
	}
}
