package main

import (
	"context"
	"fmt"
	"github.com/skybias/skybias/internal/input"
	"io"
	"path/filepath"
	"strings"

	"github.com/skybias/skybias/findings"
	"github.com/skybias/skybias/internal/atomicfile"
	"github.com/skybias/skybias/report"
)

func init() {
	register(command{name: "readme", summary: "rewrite README blocks that quote committed outputs in docs/", run: runReadme})
}

const readmeDesc = `
Rewrites the blocks of README.md and docs/guide.md (or the files named)
that quote committed outputs, so that no
number there is typed by hand. A block runs from a line
"<!-- skybias:KIND DIR -->" to "<!-- /skybias -->"; KIND is studies (the
repeated studies of DIR/summary.json: rates of shifts called, with their
exact intervals), comparisons (each comparison's effect, interval, P and
verdict), probes, agreement (ours against the published tables), doses
(the effect at each swept value, one row per dose-response), or file
(DIR is then a file, quoted whole: a measurement a script in bench/
wrote). DIR is relative to the README. With --check nothing is written
and the command fails if a block is out of date.`

// readmeBlocks rewrites every block of text; it reports whether anything
// changed.
func readmeBlocks(text, base string) (string, error) {
	var out strings.Builder
	rest := text
	for {
		i := strings.Index(rest, "<!-- skybias:")
		if i < 0 {
			out.WriteString(rest)
			return out.String(), nil
		}
		eol := strings.Index(rest[i:], "-->")
		if eol < 0 {
			return "", fmt.Errorf("README: unterminated block marker at byte %d", len(text)-len(rest)+i)
		}
		head := rest[i : i+eol+3]
		fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(head, "<!-- skybias:"), "-->"))
		if len(fields) != 2 {
			return "", fmt.Errorf("README: block marker %q: want <!-- skybias:KIND DIR -->", head)
		}
		end := strings.Index(rest[i:], "<!-- /skybias -->")
		if end < 0 {
			return "", fmt.Errorf("README: block %q has no <!-- /skybias --> line", head)
		}
		var body string
		if fields[0] == "file" {
			b, err := input.ReadFile(filepath.Join(base, fields[1]), input.SmallFile)
			if err != nil {
				return "", fmt.Errorf("README: block %q: %w", head, err)
			}
			body = "```\n" + strings.TrimRight(string(b), "\n") + "\n```\n"
			out.WriteString(rest[:i] + head + "\n" + body)
			rest = rest[i+end:]
			out.WriteString("<!-- /skybias -->")
			rest = rest[len("<!-- /skybias -->"):]
			continue
		}
		s, err := findings.ReadSummary(filepath.Join(base, fields[1], "summary.json"))
		if err != nil {
			return "", fmt.Errorf("README: block %q: %w", head, err)
		}
		switch fields[0] {
		case "studies":
			body = report.StudiesMarkdown(s)
		case "comparisons":
			body = report.ComparisonsMarkdown(s)
		case "probes":
			body = report.ProbesMarkdown(s)
		case "agreement":
			body = report.AgreementSummaryMarkdown(s)
		case "doses":
			body = report.DosesMarkdown(s)
		case "anisotropy":
			body = report.AnisotropyMarkdown(s)
		case "multipoles":
			body = report.MultipolesMarkdown(s)
		default:
			return "", fmt.Errorf("README: block %q: kind %q is not studies, comparisons, probes, agreement, doses, anisotropy, multipoles or file", head, fields[0])
		}
		out.WriteString(rest[:i] + head + "\n" + body)
		rest = rest[i+end:]
		out.WriteString("<!-- /skybias -->")
		rest = rest[len("<!-- /skybias -->"):]
	}
}

// DocFiles are the files skybias readme rewrites when none is named: the
// front page and the guide.
var DocFiles = []string{"README.md", filepath.Join("docs", "guide.md")}

func runReadme(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("readme", "[FILE.md...]", readmeDesc, stderr)
	check := fs.Bool("check", false, "fail if a block is out of date; write nothing")
	files, err := parseN(fs, args, 0, -1)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		files = DocFiles
	}
	for _, path := range files {
		if err := readmeFile(path, *check, stdout); err != nil {
			return err
		}
	}
	return nil
}

// readmeFile rewrites (or, with check, checks) one file's blocks; DIRs
// in its markers are relative to the file.
func readmeFile(path string, check bool, stdout io.Writer) error {
	b, err := input.ReadFile(path, input.SmallFile)
	if err != nil {
		return err
	}
	if !strings.EqualFold(filepath.Ext(path), ".md") {
		return fmt.Errorf("%s: not a Markdown file (.md); readme rewrites the skybias blocks of README.md and the guide", path)
	}
	if !strings.Contains(string(b), "<!-- skybias:") {
		return fmt.Errorf("%s: has no <!-- skybias:KIND DIR --> blocks to rewrite", path)
	}
	got, err := readmeBlocks(string(b), filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if got == string(b) {
		fmt.Fprintf(stdout, "%s: up to date\n", path)
		return nil
	}
	if check {
		return fmt.Errorf("%s: a block is out of date; run skybias readme %s", path, path)
	}
	if err := atomicfile.WriteFile(path, []byte(got)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: rewritten\n", path)
	return nil
}
