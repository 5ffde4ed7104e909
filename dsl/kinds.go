package dsl

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/skybias/skybias/sky"
)

// Kind is what a YAML file under experiments/ holds.
type Kind string

// The kinds of files the experiment language reads.
const (
	// KindExperiment defines training and test sets (it has train or
	// test), or a region probe (probe).
	KindExperiment Kind = "experiment"
	// KindFragment holds shared settings for other files to include.
	KindFragment Kind = "fragment"
	// KindSource defines a data source (catalog: or survey:).
	KindSource Kind = "source"
	// KindReport defines a summary table over experiments (report:).
	KindReport Kind = "report"
)

// FileKind tells what a file holds from its top-level keys.
func FileKind(doc *Document) Kind {
	switch {
	case get(doc.Root, "survey") != nil || get(doc.Root, "catalog") != nil:
		return KindSource
	case get(doc.Root, "report") != nil:
		return KindReport
	case get(doc.Root, "train") != nil || get(doc.Root, "test") != nil || get(doc.Root, "probe") != nil:
		return KindExperiment
	}
	return KindFragment
}

// File is one file of the experiment language, read, parsed and checked
// once: its kind, and what it compiles to.
type File struct {
	Path string
	Kind Kind
	// Plan is an experiment's jobs (nil for other kinds).
	Plan *Plan
	// Report is a report file's table (nil for other kinds).
	Report *ReportSpec
}

// ReadFile reads, parses and checks any file of the experiment language
// once: an experiment (compiled with the given options), a fragment, a
// report or a source. Problems are returned together as an ErrorList.
func ReadFile(path string, opts Options) (*File, error) {
	f := &File{Path: path}
	data, err := readYAML(path)
	if err != nil {
		return f, ErrorList{{Pos: Pos{File: path}, Msg: err.Error()}}
	}
	var top yaml.Node
	var pre *yaml.Node
	if yaml.Unmarshal(data, &top) == nil && len(top.Content) > 0 {
		pre = &top
		if get(top.Content[0], "survey") != nil || get(top.Content[0], "catalog") != nil {
			f.Kind = KindSource
			if _, err := sky.ParseSource(path, data); err != nil {
				return f, ErrorList{{Pos: Pos{File: path}, Msg: err.Error()}}
			}
			return f, nil
		}
	}
	doc, err := parse(path, data, pre)
	if err != nil {
		return f, err
	}
	switch f.Kind = FileKind(doc); f.Kind {
	case KindReport:
		f.Report, err = DecodeReport(doc)
	case KindFragment:
		e := &errs{doc: doc}
		decodeAs(doc, doc.Root, e, withoutKeys(TopKeys, "include"), true)
		selectProfile(doc, e, Options{})
		err = e.err()
	default:
		f.Plan, err = Compile(doc, opts)
	}
	return f, err
}

// ValidateFile is ReadFile returning the kind and, for an experiment, its
// plan.
func ValidateFile(path string, opts Options) (Kind, *Plan, error) {
	f, err := ReadFile(path, opts)
	return f.Kind, f.Plan, err
}

// ReportSpec is a summary table over experiments, such as the paper's
// Table 16 (p(spiral) per experiment).
type ReportSpec struct {
	Name  string
	Title string
	Table int
	// Rows are the experiments summarised, in order.
	Rows []string
}

var reportKeys = []string{"report", "title", "table", "rows"}

// DecodeReport reads a report file:
//
//	report: table16
//	title: "p(spiral) per experiment"
//	table: 16
//	rows: [table03, table04, ...]
func DecodeReport(doc *Document) (*ReportSpec, error) {
	e := &errs{doc: doc}
	r := &ReportSpec{}
	for _, kv := range e.keys(doc.Root, "report file", reportKeys) {
		switch kv[0].Value {
		case "report":
			r.Name, _ = e.str(kv[1], "report")
		case "title":
			r.Title, _ = e.str(kv[1], "title")
		case "table":
			n, _ := e.integer(kv[1], "table", 1, 100)
			r.Table = int(n)
		case "rows":
			names, _ := e.names(kv[1], "rows")
			for _, n := range names {
				r.Rows = append(r.Rows, n.Value)
			}
		}
	}
	if len(r.Rows) == 0 && len(e.list) == 0 {
		e.at(doc.Root, "report: rows is missing (the experiments to summarise)")
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	if r.Title == "" {
		r.Title = fmt.Sprintf("Summary %s", r.Name)
	}
	return r, nil
}
