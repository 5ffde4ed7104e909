package kernel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/skybias/skybias/dsl"
	"github.com/skybias/skybias/executor"
	"github.com/skybias/skybias/kernel/display"
	"github.com/skybias/skybias/kernel/nb"
	"github.com/skybias/skybias/pipeline"
)

const helpText = "### skybias kernel\n\n" +
	"Cells are Go, interpreted by yaegi, with the project's packages importable (`github.com/skybias/skybias/...`) and `display` and `nb` imported. " +
	"A cell's last expression is shown: figures (anything with `PNG()`/`SVG()`) as images, `display.Data` as rich output, other values as text.\n\n" +
	"| magic | what it does |\n|---|---|\n" +
	"| `%run FILE.yaml... [--profile P] [--executor slurm] [--results DIR]` | run experiments (stored results are reused) and show the report and figures |\n" +
	"| `%plan FILE.yaml... [--profile P]` | list the jobs, their hashes and cost |\n" +
	"| `%%yaml [FILE.yaml] [--profile P] [--plan]` | the rest of the cell is an experiment: saved (to FILE.yaml when named), validated, then run (or planned) |\n" +
	"| `%help` | this text |\n\n" +
	"Interrupt stops a running cell: project code receives `nb.Context()`. The interpreter lacks Go 1.22 per-iteration loop variables, " +
	"range over integers and the min/max builtins: keep heavy work in compiled packages and call them from cells."

// magic runs a cell that starts with %.
func (k *Kernel) magic(ctx context.Context, cell string) error {
	first, rest, _ := strings.Cut(cell, "\n")
	fields := strings.Fields(first)
	name, args := fields[0], fields[1:]
	switch name {
	case "%help":
		return display.Display(display.Markdown(helpText))
	case "%plan":
		return k.planMagic(args)
	case "%run":
		return k.runMagic(ctx, args)
	case "%%yaml":
		return k.yamlMagic(ctx, args, rest)
	}
	return fmt.Errorf("unknown magic %s%s (known: %%help, %%plan, %%run, %%%%yaml)", name, suggestMagic(name))
}

func suggestMagic(name string) string {
	for _, m := range magicNames {
		if strings.Contains(m, strings.TrimLeft(name, "%")) && len(name) > 2 {
			return "; did you mean " + m + "?"
		}
	}
	return ""
}

type magicFlags struct {
	profile, executor, results string
	plan                       bool
}

func parseMagic(name string, args []string, withRun bool) (*magicFlags, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &magicFlags{}
	fs.StringVar(&f.profile, "profile", "", "profile")
	if withRun {
		fs.StringVar(&f.executor, "executor", executor.Default, strings.Join(executor.Names(), ", "))
		fs.StringVar(&f.results, "results", nb.ResultsDir(), "result store")
		fs.BoolVar(&f.plan, "plan", false, "plan only")
	}
	var files []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		args = fs.Args()
		if len(args) > 0 {
			files = append(files, args[0])
			args = args[1:]
		}
	}
	return f, files, nil
}

func (k *Kernel) planMagic(args []string) error {
	f, files, err := parseMagic("%plan", args, false)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("%plan: name experiment files")
	}
	return display.Display(display.Markdown(planMarkdown(files, f.profile)))
}

func planMarkdown(files []string, profile string) string {
	var b strings.Builder
	for _, file := range files {
		_, plan, err := dsl.ValidateFile(file, dsl.Options{Profile: profile})
		if err != nil {
			fmt.Fprintf(&b, "**%s**: problems\n\n```\n%v\n```\n\n", file, err)
			continue
		}
		if plan == nil {
			fmt.Fprintf(&b, "**%s**: no jobs\n\n", file)
			continue
		}
		fmt.Fprintf(&b, "**%s**: experiment `%s`, profile `%s`, %d job(s)\n\n| hash | variant | repeat | design | image-steps | estimate |\n|---|---|---|---|---|---|\n",
			file, plan.Experiment, plan.Profile, len(plan.Jobs))
		for _, r := range plan.Rows() {
			fmt.Fprintf(&b, "| `%s` | %s | %d | %s | %d | %s |\n", r.Hash, r.Variant, r.Repeat, r.Design, r.Cost.ImageSteps, r.Cost.Estimate.Round(time.Second))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (k *Kernel) runMagic(ctx context.Context, args []string) error {
	f, files, err := parseMagic("%run", args, true)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("%run: name experiment files")
	}
	return k.runFiles(ctx, f, files)
}

func (k *Kernel) runFiles(ctx context.Context, f *magicFlags, files []string) error {
	spec, err := pipeline.NewSpec("", files, f.profile, f.results)
	if err != nil {
		return err
	}
	nb.SetContext(ctx)
	defer nb.SetContext(context.Background())
	rep, err := pipeline.Execute(ctx, spec, "", pipeline.Options{Executor: f.executor, Log: &streamWriter{k: k, name: "stdout"}})
	if err != nil {
		return err
	}
	return nb.Show(rep)
}

// yamlMagic saves the cell as an experiment file beside the notebook (the
// file named after the magic, or .cell-HASH.yaml), so that relative paths
// work as in a file there, validates it, and runs or plans it.
func (k *Kernel) yamlMagic(ctx context.Context, args []string, body string) error {
	f, names, err := parseMagic("%%yaml", args, true)
	if err != nil {
		return err
	}
	if strings.TrimSpace(body) == "" {
		return errors.New("%%yaml: the cell holds no YAML after the magic line")
	}
	if len(names) > 1 {
		return fmt.Errorf("%%%%yaml: one file name at most, not %s", strings.Join(names, " "))
	}
	sum := sha256.Sum256([]byte(body))
	path := ".cell-" + hex.EncodeToString(sum[:6]) + ".yaml"
	if len(names) == 1 {
		path = names[0]
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return fmt.Errorf("%%%%yaml: %w", err)
	}
	if _, _, err := dsl.ValidateFile(path, dsl.Options{Profile: f.profile}); err != nil {
		// Errors name the cell's lines: the file holds the cell from its second line.
		msg := strings.ReplaceAll(err.Error(), path+":", "cell (YAML line ")
		return fmt.Errorf("%s", strings.ReplaceAll(msg, "cell (YAML line ", "YAML line "))
	}
	if f.plan {
		return display.Display(display.Markdown(planMarkdown([]string{path}, f.profile)))
	}
	return k.runFiles(ctx, f, []string{path})
}
