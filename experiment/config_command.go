package experiment

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// commandKeys are the top-level keys only kernel command takes.
var commandKeys = []string{"command", "inputs", "check", "env", "workdir"}

// envNameRE is what an env key must look like: a POSIX shell name.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkCommand validates the keys of kernel command, or refuses them with
// another kernel, and sets command's one range per input (Start the
// input's index, Count 1; a single one without inputs) and the static
// schedule, so that cells, the store and the report treat inputs as
// ranges. It reports whether it handled the kernel.
func (c *Config) checkCommand(d *decoder, kv map[string]*ast.MappingValueNode) (bool, error) {
	if c.Kernel != "command" {
		for _, k := range commandKeys {
			if at := kv[k]; at != nil {
				return false, d.errAt(at.Key, k, "is only for kernel command (kernel is %q; remove it, or set kernel: command)", c.Kernel)
			}
		}
		return false, nil
	}
	for _, k := range []string{"ranges", "schedules", "chunk"} {
		if at := kv[k]; at != nil {
			return true, d.errAt(at.Key, k, "is not used by kernel command (remove it: a command's cells are its inputs x workers, and the program splits its own work)")
		}
	}
	m := c.Command
	if m == nil {
		at := kv["kernel"]
		return true, d.errAt(at.Value, "command", `is required with kernel command (add command: ["prog", "-j{workers}", "{input}"])`)
	}
	m.Check = cmpCheck(m.Check)
	m.Dir = resolveDir(c.File, m.Workdir)
	inputs := m.Inputs != nil
	if at := kv["command"]; at != nil {
		for i, item := range at.Value.(*ast.SequenceNode).Values {
			if p := badPlaceholder(m.Argv[i], inputs); p != "" {
				return true, d.errAt(item, index("command", i), "%s", placeholderMsg(p, inputs))
			}
		}
	}
	if at := kv["env"]; at != nil {
		for _, e := range mappingValues(at.Value) {
			name := e.Key.GetToken().Value
			if p := badPlaceholder(envValue(m.Env, name), inputs); p != "" {
				return true, d.errAt(e.Value, join("env", name), "%s", placeholderMsg(p, inputs))
			}
		}
	}
	c.Schedules = []Schedule{Static}
	c.Ranges = []Range{{Start: 0, Count: 1}}
	if inputs {
		c.Ranges = make([]Range, len(m.Inputs))
		for i := range m.Inputs {
			c.Ranges[i] = Range{Start: uint64(i), Count: 1}
		}
	}
	return true, nil
}

func cmpCheck(m CheckMode) CheckMode {
	if m == "" {
		return DefaultCheck
	}
	return m
}

func placeholderMsg(p string, inputs bool) string {
	if p == PlaceholderInput && !inputs {
		return "uses {input} but the file has no inputs (add inputs: [FILE, ...], or remove {input})"
	}
	return fmt.Sprintf("unknown placeholder %s (allowed: %s, %s; a shell's ${VAR} is left alone)", p, PlaceholderWorkers, PlaceholderInput)
}

func envValue(env []EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func mappingValues(n ast.Node) []*ast.MappingValueNode {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	}
	return nil
}

// decodeCommandKey decodes one of commandKeys into c.Command.
func (c *Config) decodeCommandKey(d *decoder, key string, n ast.Node) error {
	if c.Command == nil {
		c.Command = &Command{}
	}
	m := c.Command
	var err error
	switch key {
	case "command":
		m.Argv, err = d.argv(n, key)
	case "inputs":
		m.Inputs, err = d.inputs(n, key)
	case "check":
		var s string
		if s, err = d.str(n, key); err == nil {
			m.Check = CheckMode(s)
			if !slices.Contains(CheckModes, m.Check) {
				err = d.errAt(n, key, "unknown check %q (allowed: %s)", s, checkModeList())
			}
		}
	case "env":
		m.Env, err = d.env(n, key)
	case "workdir":
		m.Workdir, err = d.str(n, key)
	}
	return err
}

// argv decodes the command: a non-empty list of arguments, each a string
// or a number written as it is. An argument may be empty or hold any
// character but NUL, which no argv can carry.
func (d *decoder) argv(n ast.Node, field string) ([]string, error) {
	items, err := d.seq(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		name := index(field, i)
		if err := d.plain(item, name); err != nil {
			return nil, err
		}
		var s string
		switch v := item.(type) {
		case *ast.StringNode:
			s = v.Value
		case *ast.IntegerNode, *ast.FloatNode:
			s = v.GetToken().Value
		default:
			return nil, d.errAt(item, name, "is %s (must be a string: the command is a list of arguments, run without a shell)", nodeKind(item))
		}
		if strings.ContainsRune(s, 0) {
			return nil, d.errAt(item, name, "holds a NUL byte (an argument cannot)")
		}
		if i == 0 && s == "" {
			return nil, d.errAt(item, name, "is empty (must name the program to run)")
		}
		out = append(out, s)
	}
	return out, nil
}

// inputs decodes the inputs: a non-empty list of distinct paths.
func (d *decoder) inputs(n ast.Node, field string) ([]string, error) {
	items, err := d.seq(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		s, err := d.str(item, index(field, i))
		if err != nil {
			return nil, err
		}
		if j := slices.Index(out, s); j >= 0 {
			return nil, d.errAt(item, index(field, i), "duplicate input %q, also inputs[%d] (each input once)", s, j)
		}
		out = append(out, s)
	}
	return out, nil
}

// env decodes the env mapping: names as a shell has them, string values.
func (d *decoder) env(n ast.Node, field string) ([]EnvVar, error) {
	if err := d.plain(n, field); err != nil {
		return nil, err
	}
	values := mappingValues(n)
	if values == nil {
		return nil, d.errAt(n, field, "is %s (must be a mapping of variable names to values)", nodeKind(n))
	}
	var out []EnvVar
	for _, kv := range values {
		name := kv.Key.GetToken().Value
		f := join(field, fieldName(name))
		if !envNameRE.MatchString(name) {
			return nil, d.errAt(kv.Key, f, "is not a variable name (letters, digits and _, not starting with a digit)")
		}
		if name == EnvWorkers {
			return nil, d.errAt(kv.Key, f, "is set by exp to the worker count (remove it)")
		}
		if slices.ContainsFunc(out, func(e EnvVar) bool { return e.Name == name }) {
			return nil, d.errAt(kv.Key, f, "duplicate variable")
		}
		var v string
		switch s := kv.Value.(type) {
		case *ast.StringNode:
			v = s.Value
		case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
			v = s.GetToken().Value
		default:
			return nil, d.errAt(kv.Value, f, "is %s (must be a string)", nodeKind(kv.Value))
		}
		if strings.ContainsRune(v, 0) {
			return nil, d.errAt(kv.Value, f, "holds a NUL byte (a variable cannot)")
		}
		out = append(out, EnvVar{Name: name, Value: v})
	}
	return out, nil
}
