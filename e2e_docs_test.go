package main

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/exp-tool/exp/store"
)

// docsWithSQL are the documents whose ```sql blocks are run.
var docsWithSQL = []string{"README.md", "docs/schema.md"}

// sqlStatement is one statement of a document's SQL block.
type sqlStatement struct {
	where string // file:line of the statement's first line
	text  string
}

// sqlExamples returns every statement of every ```sql block in file. A
// statement ends with a line whose code (before any -- comment) ends
// with a semicolon.
func sqlExamples(t *testing.T, file string) []sqlStatement {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sqlStatement
	var cur []string
	start := 0
	in := false
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		switch {
		case !in && strings.TrimSpace(text) == "```sql":
			in = true
			continue
		case in && strings.TrimSpace(text) == "```":
			in = false
			if strings.TrimSpace(strings.Join(cur, "")) != "" {
				t.Errorf("%s:%d: SQL block ends inside a statement (no ';')", file, line)
			}
			cur = nil
			continue
		case !in:
			continue
		}
		code, _, _ := strings.Cut(text, "--")
		if len(cur) == 0 && strings.TrimSpace(code) == "" {
			continue // comments between statements
		}
		if len(cur) == 0 {
			start = line
		}
		cur = append(cur, text)
		if strings.HasSuffix(strings.TrimSpace(code), ";") {
			out = append(out, sqlStatement{where: file + ":" + strconv.Itoa(start), text: strings.Join(cur, "\n")})
			cur = nil
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDocSQLExamples runs every SQL example of the README and
// docs/schema.md, through a reader (query_only), against a database of
// real runs: each must succeed and return at least one row, so that the
// documentation cannot rot.
func TestDocSQLExamples(t *testing.T) {
	path := viewsDB(t)
	ctx := context.Background()
	db, err := store.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	total := 0
	for _, doc := range docsWithSQL {
		stmts := sqlExamples(t, doc)
		if len(stmts) < 3 {
			t.Errorf("%s: %d SQL examples found, want at least 3 (is the block fenced with ```sql?)", doc, len(stmts))
		}
		for _, st := range stmts {
			total++
			rows, err := db.SQL().QueryContext(ctx, st.text)
			if err != nil {
				t.Errorf("%s: %v\n%s", st.where, err, st.text)
				continue
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Err(); err != nil {
				t.Errorf("%s: %v", st.where, err)
			}
			rows.Close()
			if n == 0 {
				t.Errorf("%s: no rows on a database of three real runs\n%s", st.where, st.text)
			}
		}
	}
	t.Logf("%d SQL examples ran", total)
}
