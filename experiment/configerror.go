package experiment

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// ConfigError is a problem in an experiment file, with its position.
// Error renders it as one line: FILE:LINE:COL: FIELD: MSG.
type ConfigError struct {
	File  string // path of the experiment file as given by the user
	Line  int    // 1-based line of the offending node, 0 if unknown
	Col   int    // 1-based column of the offending node, 0 if unknown
	Field string // dotted field path such as "ranges[0].count"; empty for syntax errors
	Msg   string // what is wrong and what is allowed
	Err   error  // underlying error, such as a failed read; may be nil
}

// Error implements error.
func (e *ConfigError) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	}
	if e.Field == "" {
		return pos + ": " + e.Msg
	}
	return pos + ": " + e.Field + ": " + e.Msg
}

// Unwrap lets errors.Is match ErrConfig and the underlying error, if any.
func (e *ConfigError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrConfig}
	}
	return []error{ErrConfig, e.Err}
}

// errAt builds a ConfigError positioned at node n (which may be nil).
func (d *decoder) errAt(n ast.Node, field, format string, args ...any) *ConfigError {
	e := &ConfigError{File: d.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

// printable escapes control characters in s, as Go would quote them (a
// tab as \t), so that go-yaml's messages, which quote the file's
// characters, print as one line of visible text.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fromYAML converts a go-yaml parse error into a ConfigError.
func fromYAML(file string, err error) *ConfigError {
	e := &ConfigError{File: file, Msg: err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = "syntax error: " + printable(ye.GetMessage())
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}
