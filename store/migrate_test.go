package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/exp-tool/exp/migrations"
)

// mig is a MapFS file holding sql.
func mig(sql string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(sql)} }

const (
	migA = `CREATE TABLE a (id INTEGER PRIMARY KEY) STRICT;`
	migB = `CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a (id)) STRICT;
ALTER TABLE a ADD COLUMN label TEXT;`
	migC = `CREATE TABLE c (id INTEGER PRIMARY KEY) STRICT;`
	// migBad creates a table, then fails: the table must not survive.
	migBad = `CREATE TABLE partial (x INTEGER) STRICT;
INSERT INTO no_such_table VALUES (1);`
)

func TestLoadMigrations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fs      fstest.MapFS
		want    []int  // versions, in order
		wantErr string // substring of the error; "" for success
	}{
		{"Empty", fstest.MapFS{}, nil, ""},
		{"Ordered", fstest.MapFS{"0002_b.sql": mig(migB), "0001_a.sql": mig(migA), "0003_c.sql": mig("SELECT 1;")}, []int{1, 2, 3}, ""},
		{"OtherFilesIgnored", fstest.MapFS{"0001_a.sql": mig(migA), "README.md": mig("# notes"), "migrations.go": mig("package migrations")}, []int{1}, ""},
		{"ErrNameTooShort", fstest.MapFS{"1_x.sql": mig(migA)}, nil, "1_x.sql: name must be NNNN_name.sql"},
		{"ErrNameUppercase", fstest.MapFS{"0001_Init.sql": mig(migA)}, nil, "name must be NNNN_name.sql"},
		{"ErrNameNoTitle", fstest.MapFS{"0001.sql": mig(migA)}, nil, "name must be NNNN_name.sql"},
		// A gap is a migration of another branch, not merged yet.
		{"GapAllowed", fstest.MapFS{"0001_a.sql": mig(migA), "0003_c.sql": mig("SELECT 1;")}, []int{1, 3}, ""},
		{"ErrVersionZero", fstest.MapFS{"0000_z.sql": mig(migA)}, nil, "0000_z.sql: version must be 0001 or more"},
		{"ErrDuplicateVersion", fstest.MapFS{"0001_a.sql": mig(migA), "0001_b.sql": mig(migB)}, nil, "0001_b.sql: version 0001 is also 0001_a.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadMigrations(tc.fs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var versions []int
			for _, m := range got {
				versions = append(versions, m.version)
				if string(tc.fs[m.name].Data) != m.sql {
					t.Errorf("%s: sql not read verbatim", m.name)
				}
			}
			if !reflect.DeepEqual(versions, tc.want) {
				t.Errorf("versions = %v, want %v", versions, tc.want)
			}
		})
	}

	t.Run("RealMigrations", func(t *testing.T) {
		got, err := loadMigrations(migrations.FS)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].name != "0001_init.sql" {
			t.Errorf("real migrations = %+v, want 0001_init.sql first", got)
		}
	})
}

// migState is what a migration run leaves in the file.
type migState struct {
	versions []int64  // rows of schema_migrations, in order
	names    []string // their names
	tables   []string // user tables other than schema_migrations, sorted
}

func readMigState(t *testing.T, path string) migState {
	t.Helper()
	sdb := rawDB(t, path)
	var s migState
	rows, err := sdb.Query(`SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int64
		var n string
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		s.versions, s.names = append(s.versions, v), append(s.names, n)
	}
	rows.Close()
	rows, err = sdb.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		s.tables = append(s.tables, n)
	}
	return s
}

// TestMigrate opens a file with one set of migrations (before, if any) and
// then another (after), and checks the error and what the file holds.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	one := fstest.MapFS{"0001_a.sql": mig(migA)}
	two := fstest.MapFS{"0001_a.sql": mig(migA), "0002_b.sql": mig(migB)}
	for _, tc := range []struct {
		name     string
		before   fstest.MapFS // applied first on a fresh file; nil for none
		after    fstest.MapFS
		wantErr  error  // sentinel, or nil
		wantText string // substring of the error; "" for success
		want     migState
	}{
		{
			name: "AppliesInOrder", after: two,
			want: migState{versions: []int64{1, 2}, names: []string{"0001_a.sql", "0002_b.sql"}, tables: []string{"a", "b"}},
		},
		{
			name: "UpgradesOlderFile", before: one, after: two,
			want: migState{versions: []int64{1, 2}, names: []string{"0001_a.sql", "0002_b.sql"}, tables: []string{"a", "b"}},
		},
		{
			name: "ReopenAppliesNothing", before: two, after: two,
			want: migState{versions: []int64{1, 2}, names: []string{"0001_a.sql", "0002_b.sql"}, tables: []string{"a", "b"}},
		},
		{
			name: "ErrFailingMigrationRollsBack", before: one,
			after:    fstest.MapFS{"0001_a.sql": mig(migA), "0002_bad.sql": mig(migBad)},
			wantText: "migrate 0002_bad.sql: ",
			want:     migState{versions: []int64{1}, names: []string{"0001_a.sql"}, tables: []string{"a"}},
		},
		{
			name:     "ErrFailingMigrationKeepsEarlierOnes",
			after:    fstest.MapFS{"0001_a.sql": mig(migA), "0002_bad.sql": mig(migBad)},
			wantText: "no such table: no_such_table",
			want:     migState{versions: []int64{1}, names: []string{"0001_a.sql"}, tables: []string{"a"}},
		},
		{
			name: "ErrNewerSchema", before: two, after: one,
			wantErr:  ErrNewerSchema,
			wantText: "file has version 2, this exp knows 1",
			want:     migState{versions: []int64{1, 2}, names: []string{"0001_a.sql", "0002_b.sql"}, tables: []string{"a", "b"}},
		},
		{
			// A file written before a branch's migration 0002 was merged
			// gets it later, after its own 0003.
			name: "GapFilledLater", before: fstest.MapFS{"0001_a.sql": mig(migA), "0003_c.sql": mig(migC)},
			after: fstest.MapFS{"0001_a.sql": mig(migA), "0002_b.sql": mig(migB), "0003_c.sql": mig(migC)},
			want:  migState{versions: []int64{1, 2, 3}, names: []string{"0001_a.sql", "0002_b.sql", "0003_c.sql"}, tables: []string{"a", "b", "c"}},
		},
		{
			name: "ErrUnknownMigration", before: two,
			after:    fstest.MapFS{"0001_a.sql": mig(migA), "0003_c.sql": mig(migC)},
			wantErr:  ErrNewerSchema,
			wantText: "file has migration 0002, which this exp lacks",
			want:     migState{versions: []int64{1, 2}, names: []string{"0001_a.sql", "0002_b.sql"}, tables: []string{"a", "b"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "exp.db")
			if tc.before != nil {
				db, err := open(ctx, path, tc.before, true)
				if err != nil {
					t.Fatalf("open with the first migrations: %v", err)
				}
				db.Close()
			}
			db, err := open(ctx, path, tc.after, true)
			if err == nil {
				db.Close()
			}
			switch {
			case tc.wantText == "" && err != nil:
				t.Fatalf("open: %v", err)
			case tc.wantText != "" && (err == nil || !strings.Contains(err.Error(), tc.wantText)):
				t.Fatalf("open error = %v, want one containing %q", err, tc.wantText)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("open error = %v, want errors.Is %v", err, tc.wantErr)
			}
			if got := readMigState(t, path); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("file holds %+v, want %+v", got, tc.want)
			}
		})
	}

	t.Run("ErrBadNameCreatesNoFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "exp.db")
		db, err := open(ctx, path, fstest.MapFS{"1_x.sql": mig(migA)}, true)
		if err == nil {
			db.Close()
			t.Fatal("open succeeded with a badly named migration")
		}
		if exists(t, path) {
			t.Errorf("%s created although the migrations were unusable", path)
		}
	})
}
