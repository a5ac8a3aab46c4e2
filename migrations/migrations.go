// Package migrations holds exp's database schema as numbered SQL files,
// embedded into the binary. The store applies them in order; the files are
// the only place the schema is written down.
//
// File names are NNNN_name.sql. A file, once released, is never edited: a
// schema change is a new file.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
