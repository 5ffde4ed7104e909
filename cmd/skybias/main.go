// Command skybias runs experiments that ask whether a galaxy classifier has
// learned where in the sky its training images came from. Run
// "skybias help" for the list of commands and "skybias CMD --help" for one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/skybias/skybias/dsl"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
)

// command is one subcommand of the CLI.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	// resume says what an interrupted run keeps and how to go on (empty:
	// nothing to resume); it follows the error of an interrupted command.
	resume string
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// errUsage marks errors already explained by a usage message.
var errUsage = errors.New("usage")

// softMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is not set:
// the collector works harder as the heap nears it, so a run of the quick
// paper profile peaks near 1 GB instead of 1.75 GB. It is soft: a run
// that needs more still gets it.
const softMemoryLimit = 1 << 30

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Value // the signal that stopped the run
	go func() {
		s := <-sigs
		got.Store(s)
		cancel()
	}()
	stopProfile, err := startProfile(os.Getenv("SKYBIAS_CPUPROFILE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "skybias:", err)
		os.Exit(1)
	}
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	if s, ok := got.Load().(os.Signal); ok && code != 0 {
		code = signalExit(s)
	}
	os.Exit(code)
}

// signalExit is the shell's convention for a command stopped by a
// signal: 128 plus its number (130 for Ctrl-C, 143 for SIGTERM).
func signalExit(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// startProfile starts a CPU profile written to path when path is not
// empty (SKYBIAS_CPUPROFILE, for `go tool pprof`), and returns the
// function that finishes it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("SKYBIAS_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("SKYBIAS_CPUPROFILE %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "skybias: SKYBIAS_CPUPROFILE:", err)
		}
	}, nil
}

// runMain runs the CLI and returns its exit status: 0 on success, 1 when a
// command fails, 2 on a usage error.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version())
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		fmt.Fprintf(stderr, "skybias: unknown command %q%s; \"skybias help\" lists them\n", args[0], dsl.Suggest(args[0], names))
		return 2
	}
	// Help asked for goes to standard output (skybias run --help | less);
	// usage after a mistake goes to standard error.
	usageTo := stderr
	for _, a := range args[1:] {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			usageTo = stdout
		}
	}
	err := c.run(ctx, args[1:], stdout, usageTo)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		// One prefix per message: an error that already starts with the
		// command's name ("annotate: ...") is not prefixed twice.
		msg := strings.TrimPrefix(err.Error(), c.name+": ")
		if ctx.Err() != nil && c.resume != "" && !strings.Contains(msg, "again") {
			msg = "interrupted (" + msg + "): " + c.resume
		}
		fmt.Fprintf(stderr, "skybias %s: %s\n", c.name, msg)
		return 1
	}
}

// version describes the build: the module's version, the VCS revision
// and whether the tree had uncommitted changes, from the build info.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "skybias (no build information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	out := "skybias " + v + ", " + info.GoVersion
	if rev != "" {
		out += fmt.Sprintf(", revision %.12s (%s%s)", rev, when, dirty)
	}
	return out
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "skybias: does a galaxy classifier learn where in the sky its training images came from?")
	fmt.Fprintln(w, "\nUsage: skybias COMMAND [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"skybias COMMAND --help\" for a command's flags.")
}

// newFlags makes a flag set whose --help prints the command's usage line,
// description and flags.
func newFlags(name, args, desc string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: skybias %s [flags] %s\n\n%s\n", name, args, strings.TrimSpace(desc))
		if hasFlags(fs) {
			fmt.Fprintln(stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseN parses args and checks that between lo and hi positional
// arguments remain (hi < 0: no upper bound), printing the usage if not.
func parseN(fs *flag.FlagSet, args []string, lo, hi int) ([]string, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) < lo || (hi >= 0 && len(pos) > hi) {
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// parseFlags parses args, allowing flags after positional arguments
// ("skybias plan a.yaml --profile quick"), and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// splitOverrides separates KEY.PATH=VALUE overrides from the files among
// positional arguments: an argument with "=" that names no existing file
// is an override (training.epochs=5), laid over every file in order.
func splitOverrides(args []string) (files, overrides []string) {
	for _, a := range args {
		if strings.Contains(a, "=") {
			if _, err := os.Stat(a); err != nil {
				overrides = append(overrides, a)
				continue
			}
		}
		files = append(files, a)
	}
	return files, overrides
}

// addMaxJobs adds --max-jobs, the cap on the jobs one experiment file may
// compile to (dsl.MaxJobs), to a command that compiles experiments.
func addMaxJobs(fs *flag.FlagSet) {
	fs.IntVar(&dsl.MaxJobs, "max-jobs", dsl.MaxJobs, "most jobs one experiment file may compile to (sweeps x repeats); checked before expanding")
}
