package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// globalFlags are the flags exp accepts before a command; all are booleans.
var globalFlags = []string{"-h", "--help", "-help", "-v", "--version", "-version"}

// hoistFlags puts a command's flags in front of its positional arguments,
// so that `exp run x.yaml --db y.db`, `exp run --db y.db x.yaml` and even
// `exp --db y.db run x.yaml` all mean the same: urfave/cli v2 stops parsing
// flags at the first positional argument. Arguments after "--" stay
// positional. An unknown command, or a flag missing its value, is a usage
// error here.
func hoistFlags(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	// The command is the first argument that names one; everything before
	// it except the global flags belongs to the command.
	ci := slices.IndexFunc(args[1:], func(a string) bool { return app.Command(a) != nil || isHelp(a) })
	if ci < 0 {
		commands := strings.Join(commandNames(app), ", ")
		switch {
		case !strings.HasPrefix(args[1], "-"):
			return nil, usagef("unknown command %q (commands: %s)", args[1], commands)
		case !slices.ContainsFunc(args[1:], func(a string) bool { return !strings.HasPrefix(a, "-") }):
			for _, a := range args[1:] {
				if !slices.Contains(globalFlags, a) {
					return nil, usagef("unknown flag %s (global flags: --help, --version; command flags go with a command: %s)", a, commands)
				}
			}
		default:
			return nil, usagef("no command in %q (commands: %s)", strings.Join(args[1:], " "), commands)
		}
		return args, nil
	}
	ci++
	cmd := app.Command(args[ci])
	if cmd == nil { // help [command]: the topic must be a command, or help itself
		if topic := args[min(ci+1, len(args)-1)]; ci+1 < len(args) && app.Command(topic) == nil && !isHelp(topic) && !strings.HasPrefix(topic, "-") {
			return nil, usagef("no help for %q (commands: %s)", args[ci+1], strings.Join(commandNames(app), ", "))
		}
		return args, nil
	}
	// A command with subcommands (exp slurm submit): the flags are the
	// subcommand's.
	names, start := []string{cmd.Name}, ci
	if sub := subcommand(cmd, args[ci+1:]); sub != nil {
		cmd, names = sub, append(names, sub.Name)
		ci++
	}
	var global, rest []string
	for _, a := range args[1:start] {
		if slices.Contains(globalFlags, a) {
			global = append(global, a)
		} else {
			rest = append(rest, a)
		}
	}
	rest = append(rest, args[ci+1:]...)
	var flags, positional []string
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
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !takesValue(cmd, name) {
			continue
		}
		if !hasValue {
			if i+1 >= len(rest) || rest[i+1] == "--" {
				return nil, usagef("flag %s needs a value (see exp help %s)", a, cmd.Name)
			}
			value = rest[i+1]
			flags = append(flags, value)
			i++
		}
		if value == "" {
			// --db "$UNSET" must not quietly fall back to a default file.
			return nil, usagef("flag --%s needs a non-empty value", name)
		}
	}
	if slices.ContainsFunc(flags, func(f string) bool { return f == "-h" || f == "--help" || f == "-help" }) {
		// Help wins over everything else, wherever it was typed.
		return append(append([]string{args[0]}, names...), "--help"), nil
	}
	out := append(append(append([]string{args[0]}, global...), names...), flags...)
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out, nil
}

// subcommand returns the subcommand of cmd that rest starts with, if any.
func subcommand(cmd *cli.Command, rest []string) *cli.Command {
	if len(cmd.Subcommands) == 0 || len(rest) == 0 {
		return nil
	}
	for _, sub := range cmd.Subcommands {
		if slices.Contains(sub.Names(), rest[0]) {
			return sub
		}
	}
	return nil
}

// isHelp reports whether a names the help command.
func isHelp(a string) bool { return a == "help" || a == "h" }

func commandNames(app *cli.App) []string {
	names := []string{}
	for _, c := range app.Commands {
		names = append(names, c.Name)
	}
	return append(names, "help")
}

// takesValue reports whether the command's flag called name needs a value.
func takesValue(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		// Booleans, and flags whose value is optional (--quiet-machine[=D]),
		// take no separate word.
		if tv, ok := f.(interface{ TakesValue() bool }); ok && !tv.TakesValue() {
			return false
		}
		return true
	}
	return false
}
