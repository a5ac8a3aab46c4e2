package experiment

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/token"
)

// Limits on the shape of an experiment file. They keep the memory exp uses
// to read any file, however hostile, small: the YAML parser's memory grows
// with the square of the nesting depth (a 60 KB file of nested [ took
// 1.4 GB) and with the number of tokens (about 300 bytes each), so every
// one of these is checked before the parser sees the file. A real
// experiment file is a few hundred bytes, nests 3 deep and has a few dozen
// tokens.
const (
	// MaxFileSize is the largest experiment file exp reads, in bytes (1 MiB).
	MaxFileSize = 1 << 20
	// MaxDepth bounds how deep lists and mappings may nest inside each
	// other, block and flow levels together (ranges: [{start: 1}] is 3).
	MaxDepth = 64
	// MaxRanges bounds the entries of the ranges list.
	MaxRanges = 10_000
	// MaxWorkerCounts bounds the entries of the workers list (each entry
	// is itself at most MaxWorkers).
	MaxWorkerCounts = 1_000
	// MaxSchedules bounds the entries of the schedules list: each schedule
	// at most once.
	MaxSchedules = 3
	// MaxListLen bounds any other list in the file (exp refuses them, but
	// only after parsing).
	MaxListLen = 10_000
	// MaxKeys bounds the keys of any one mapping (the file's own has at
	// most 12; the parser's time and memory grow quickly with the keys of
	// one block mapping).
	MaxKeys = 100
	// MaxTokens bounds the YAML tokens of the file (keys, values and
	// punctuation), estimated from above from the bytes before the
	// tokenizer runs, so that tokenizing costs at most about 50 MB. 10,000
	// ranges written {start: N, count: N} take about 110,000.
	MaxTokens = 150_000
)

// yamlIndicators are YAML's indicator characters: each may make a token of
// its own.
const yamlIndicators = "-?:,[]{}#&*!|>'\"%@`"

// prescan checks what can be checked on the bytes alone, before the YAML
// tokenizer sees them: the file is valid UTF-8, and it cannot make more than
// MaxTokens tokens. The bound on tokens is conservative: every token the
// tokenizer makes starts at an indicator character, at the start of a run
// of other non-blank characters, at a line break or at a tab, so their
// count is an upper bound (a quoted string or a comment counts once per
// word).
// data has no byte order mark.
func prescan(file string, data []byte) *ConfigError {
	line, col := 1, 1
	tokens, inRun := 1, false // 1: the tokenizer may end with a token of its own
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return &ConfigError{File: file, Line: line, Col: col,
				Msg: fmt.Sprintf("invalid UTF-8: byte 0x%02X (an experiment file must be UTF-8 text; re-save it as UTF-8)", data[i])}
		}
		var more int
		more, inRun = tokenStep(r, inRun)
		if tokens += more; tokens > MaxTokens {
			return &ConfigError{File: file, Line: line, Col: col,
				Msg: fmt.Sprintf("the file has more than %d YAML tokens: keys, values and punctuation (at most %d are allowed; an experiment file has a few dozen)", MaxTokens, MaxTokens)}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

// tokenStep is prescan's count of tokens at rune r: how many may begin
// there (0 or 1), and whether r is inside a run of non-blank, non-indicator
// characters (inRun: whether the previous rune was).
func tokenStep(r rune, inRun bool) (int, bool) {
	switch {
	case r == '\n' || r == '\r' || r == '\t': // a misplaced tab makes a token of its own
		return 1, false
	case r == ' ':
		return 0, false
	case strings.ContainsRune(yamlIndicators, r):
		return 1, false
	case !inRun:
		return 1, true
	}
	return 0, true
}

// level is one open list or mapping while checkShape walks the tokens.
type level struct {
	flow    bool   // written in flow style, [..] or {..}; else block style (indented)
	seq     bool   // a list; else a mapping
	col     int    // block style: the column of its "- " or keys
	n       int    // entries of a list, or keys of a mapping, seen so far
	started bool   // flow style: an entry has begun since the opening or the last comma
	colon   bool   // flow mapping: the entry since the last comma has had its :
	pair    bool   // ends at the next , or closing bracket: [a: 1] or {a: - 1}
	tagged  bool   // opened by the node after a tag, anchor or alias
	field   string // the top-level key whose value it is, or ""
}

// limit returns the most entries l may have and how to say so.
func (l *level) limit() (int, string) {
	switch {
	case !l.seq:
		return MaxKeys, fmt.Sprintf("a mapping has more than %d keys (at most %d are allowed; an experiment file has at most %d)", MaxKeys, MaxKeys, len(topKeys))
	case l.field == "ranges":
		return MaxRanges, fmt.Sprintf("more than %d ranges (at most %d are allowed)", MaxRanges, MaxRanges)
	case l.field == "workers":
		return MaxWorkerCounts, fmt.Sprintf("more than %d worker counts (at most %d are allowed)", MaxWorkerCounts, MaxWorkerCounts)
	case l.field == "schedules":
		return MaxSchedules, fmt.Sprintf("more than %d schedules (at most %d are allowed: %s, each once)", MaxSchedules, MaxSchedules, scheduleList())
	}
	return MaxListLen, fmt.Sprintf("a list has more than %d entries (at most %d are allowed)", MaxListLen, MaxListLen)
}

// shape walks the tokens of a file and checks MaxDepth and the lengths of
// its lists and mappings before the parser builds anything from them.
type shape struct {
	file   string
	stack  []*level     // open collections: block levels, then flow levels inside them
	prev   *token.Token // last token that was not a comment
	before *token.Token // the one before prev
	// props is the first of the anchors and tags just before prev on its
	// line (&a !t key), nil when prev follows none; run is the first of
	// those just before the token being read.
	props, run *token.Token
	topKey     string // the top-level key being read
	depth      int    // the deepest the stack has been
	attach     bool   // a tag, anchor or alias came after the last block entry
	// name is whether the next token that is not a comment names the
	// anchor or alias just read: go-yaml's tokenizer makes the name a
	// token of its own (&a is "&" then "a").
	name bool
}

// checkShape checks the nesting depth, list lengths and mapping sizes of
// the tokens of an experiment file, as go-yaml's tokenizer made them (so a
// bracket inside a quoted string or a comment does not count), before the
// parser builds anything from them. The depth counted is the number of
// open flow collections ([ and {) plus the block levels around them: a
// block level opens at each "- " or "key:" right of the level it is in,
// and closes at the next one at or left of its own column that follows a
// complete value on an earlier line. Wherever go-yaml may nest instead
// (after an empty value, a tag, an anchor or an alias; a "- " inside
// brackets) a level opens, so the count is never below the depth of the
// tree the parser builds; FuzzShape checks this against go-yaml itself.
// An invalid token ends the walk: the parser reports it.
func checkShape(file string, tokens token.Tokens) *ConfigError {
	return (&shape{file: file}).walk(tokens)
}

// walk visits the tokens in order, stopping at the first error or invalid
// token.
func (s *shape) walk(tokens token.Tokens) *ConfigError {
	for _, tk := range tokens {
		if err := s.visit(tk); err != nil {
			return err
		}
		if tk.Type == token.InvalidType {
			return nil
		}
		if tk.Type == token.CommentType {
			continue
		}
		if s.name {
			// The name of the anchor or alias before: go-yaml's parser takes
			// the token after & or * as its name, whatever it is ("&a",
			// "&0", "& \"\"" alike), and the node starts at the & or *, so
			// the name is not remembered as the token before the next.
			s.name = false
			continue
		}
		s.name = tk.Type == token.AnchorType || tk.Type == token.AliasType
		property := func(t *token.Token) bool {
			return t != nil && (t.Type == token.AnchorType || t.Type == token.TagType)
		}
		switch {
		case property(tk) && (!property(s.prev) || s.prev.Position == nil || tk.Position == nil || s.prev.Position.Line != tk.Position.Line):
			s.run = tk // the first of a run of properties on its line
		case !property(tk):
			s.props = nil
			if property(s.prev) {
				s.props = s.run
			}
		}
		s.before, s.prev = s.prev, tk
	}
	return nil
}

func (s *shape) top() *level {
	if len(s.stack) == 0 {
		return nil
	}
	return s.stack[len(s.stack)-1]
}

// inFlow reports whether the innermost open collection is a flow one.
func (s *shape) inFlow() bool { t := s.top(); return t != nil && t.flow }

func (s *shape) errAt(tk *token.Token, field, msg string) *ConfigError {
	e := &ConfigError{File: s.file, Field: field, Msg: msg}
	if tk.Position != nil {
		e.Line, e.Col = tk.Position.Line, tk.Position.Column
	}
	return e
}

func (s *shape) visit(tk *token.Token) *ConfigError {
	switch tk.Type {
	case token.CommentType, token.InvalidType:
		return nil
	case token.TagType, token.AnchorType, token.AliasType:
		s.attach = true
	case token.DocumentHeaderType, token.DocumentEndType:
		if !s.inFlow() {
			// Inside brackets go-yaml may read on: the levels stay open
			// (an over-count at worst).
			s.stack, s.topKey = nil, ""
		}
		return nil
	case token.SequenceStartType, token.MappingStartType:
		if err := s.entry(tk); err != nil {
			return err
		}
		return s.push(tk, &level{flow: true, seq: tk.Type == token.SequenceStartType})
	case token.SequenceEndType, token.MappingEndType:
		s.endPair()
		if s.inFlow() {
			s.stack = s.stack[:len(s.stack)-1]
		}
		return nil
	case token.CollectEntryType:
		s.endPair()
		if t := s.top(); t != nil && t.flow {
			t.started, t.colon = false, false
		}
		return nil
	case token.SequenceEntryType, token.MappingKeyType:
		if s.inFlow() {
			// go-yaml reads a "- " or "? " inside [..] or {..} as a block
			// collection nested there, up to the next , or closing bracket.
			if err := s.entry(tk); err != nil {
				return err
			}
			return s.push(tk, &level{flow: true, pair: true, seq: tk.Type == token.SequenceEntryType, n: 1, started: true})
		}
		return s.blockEntry(tk, s.prev, tk.Position.Column, tk.Type == token.SequenceEntryType)
	case token.MappingValueType:
		if t := s.top(); t != nil && t.flow {
			if t.seq || t.pair || t.colon {
				// [a: 1] is a list of one single-pair mapping, one level
				// deeper, and so is a second : in an entry, {a: b: c}, or
				// one after a block entry inside brackets; it ends at the
				// next , or closing bracket.
				return s.push(tk, &level{flow: true, pair: true, n: 1, started: true})
			}
			t.colon = true
			if len(s.stack) == 1 && s.prev != nil {
				s.topKey = s.prev.Value
			}
			return nil
		}
		if s.prev == nil || s.prev.Position == nil || s.prev.Type == token.MappingKeyType {
			return nil
		}
		col := s.prev.Position.Column // an alias key, *a:, is prev itself
		if b := s.before; b != nil && b.Position != nil && (b.Type == token.LiteralType || b.Type == token.FoldedType) {
			col = b.Position.Column // a block scalar as a key starts at its | or >
		}
		if p := s.props; p != nil && p.Position != nil && p.Position.Line == s.prev.Position.Line {
			// The key &a !t b: starts at its first property; properties on
			// a line before belong to the node around the key.
			col = p.Position.Column
		}
		if err := s.blockEntry(s.prev, s.before, col, false); err != nil {
			return err
		}
		if len(s.stack) == 1 {
			s.topKey = s.prev.Value
		}
		return nil
	}
	if s.inFlow() {
		return s.entry(tk)
	}
	return nil
}

// endPair closes the levels that end at a , or a closing bracket: the
// single-pair mappings of a flow list, and block entries inside flow ones.
func (s *shape) endPair() {
	for t := s.top(); t != nil && t.pair; t = s.top() {
		s.stack = s.stack[:len(s.stack)-1]
	}
}

// entry counts tk as the start of an entry of the flow collection it is in.
func (s *shape) entry(tk *token.Token) *ConfigError {
	t := s.top()
	if t == nil || !t.flow || t.started {
		return nil
	}
	t.started = true
	return s.count(tk, t)
}

// count adds one entry to l, which tk begins.
func (s *shape) count(tk *token.Token, l *level) *ConfigError {
	l.n++
	if max, msg := l.limit(); l.n > max {
		return s.errAt(tk, l.field, msg)
	}
	return nil
}

// blockEntry handles a "- " (seq) or a key (not seq) at column col in
// block context; lead is the token before it. After a complete value on
// an earlier line it closes the block levels right of col, then counts an
// entry of the level at col or opens a new one. Anywhere else (after an
// empty value, a tag, an anchor or an alias, or on the line of the entry
// before) go-yaml may nest the entry inside the one before, whatever its
// column, so it opens a new level: an over-count, never an under-count.
func (s *shape) blockEntry(tk, lead *token.Token, col int, seq bool) *ConfigError {
	attach := s.attach
	s.attach = false
	if t := s.top(); !attach && !seq && lead != nil && lead.Type == token.MappingValueType && earlier(lead, tk) &&
		t != nil && !t.seq && !t.tagged && t.col == col {
		// "a:\nb: 1": a key with no value, then the next key.
		return s.count(tk, t)
	}
	if attach || lead != nil && !completes(lead, tk) {
		return s.push(tk, &level{seq: seq, col: col, n: 1, tagged: attach})
	}
	// A key at the column of a list's dashes ends that list, as in
	// "ranges:\n- {...}\nworkers: [1]".
	for t := s.top(); t != nil && (t.col > col || !seq && t.seq && t.col == col); t = s.top() {
		s.stack = s.stack[:len(s.stack)-1]
	}
	if t := s.top(); t != nil && t.col == col && t.seq == seq {
		return s.count(tk, t)
	}
	return s.push(tk, &level{seq: seq, col: col, n: 1})
}

// completes reports whether lead is a whole value (a scalar or the end of
// a flow collection) on a line before tk's.
func completes(lead, tk *token.Token) bool {
	if !earlier(lead, tk) {
		return false
	}
	switch lead.Type {
	case token.StringType, token.IntegerType, token.FloatType, token.BoolType, token.NullType,
		token.InfinityType, token.NanType, token.SingleQuoteType, token.DoubleQuoteType,
		token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType,
		token.SequenceEndType, token.MappingEndType:
		return true
	}
	return false
}

// earlier reports whether a is on a line before b's.
func earlier(a, b *token.Token) bool {
	return a.Position != nil && b.Position != nil && a.Position.Line < b.Position.Line
}

// push opens l, which tk begins, checking MaxDepth, and names it after the
// top-level key when it is that key's value.
func (s *shape) push(tk *token.Token, l *level) *ConfigError {
	if len(s.stack) == 1 && !s.stack[0].seq {
		l.field = s.topKey
	}
	s.stack = append(s.stack, l)
	s.depth = max(s.depth, len(s.stack))
	if len(s.stack) > MaxDepth {
		return s.errAt(tk, "", fmt.Sprintf("lists and mappings nest more than %d deep (at most %d levels are allowed; an experiment file needs 3)", MaxDepth, MaxDepth))
	}
	return nil
}
