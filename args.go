package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// hoistFlags moves a subcommand's flags in front of its positional
// arguments, so that `exp run x.yaml --db y.db` means `exp run --db y.db
// x.yaml`: urfave/cli v2 stops parsing flags at the first positional
// argument. Arguments after "--" stay positional. An unknown command is a
// usage error here, with the list of commands.
func hoistFlags(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	// Global flags (--help, --version) are booleans, so the command is the
	// first argument that does not start with "-".
	ci := slices.IndexFunc(args[1:], func(a string) bool { return !strings.HasPrefix(a, "-") })
	if ci < 0 {
		return args, nil
	}
	ci++
	name := args[ci]
	cmd := app.Command(name)
	if cmd == nil {
		if name == "help" {
			return args, nil
		}
		names := []string{}
		for _, c := range app.Commands {
			names = append(names, c.Name)
		}
		return nil, usagef("unknown command %q (commands: %s, help)", name, strings.Join(names, ", "))
	}
	var flags, positional []string
	rest := args[ci+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if !strings.Contains(a, "=") && takesValue(cmd, strings.TrimLeft(a, "-")) && i+1 < len(rest) {
			flags = append(flags, rest[i+1])
			i++
		}
	}
	out := append(slices.Clone(args[:ci+1]), flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out, nil
}

// takesValue reports whether the command's flag called name needs a value.
func takesValue(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		if _, isBool := f.(*cli.BoolFlag); isBool {
			return false
		}
		return true
	}
	return false
}
