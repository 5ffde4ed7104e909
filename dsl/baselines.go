package dsl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Baselines finds the experiments that the plans compare with (compare.
// with) but that are not among them: each is looked up by name among the
// YAML files in the folder of the file that names it, compiled with opts,
// and itself searched in turn. It returns the plans it added, in the order
// found; a name found nowhere is an error at the with: value's line and
// column, once per name and file.
func Baselines(plans []*Plan, opts Options) ([]*Plan, error) {
	have := map[string]bool{}
	for _, p := range plans {
		have[p.Experiment] = true
	}
	var added []*Plan
	var list ErrorList
	reported := map[string]bool{}
	folders := map[string]map[string]string{} // folder -> experiment name -> file
	queue := append([]*Plan(nil), plans...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if len(p.Jobs) == 0 {
			continue
		}
		for _, c := range p.Jobs[0].Compare {
			if have[c.With] {
				continue
			}
			dir := filepath.Dir(p.File)
			names, ok := folders[dir]
			if !ok {
				names = experimentNames(dir)
				folders[dir] = names
			}
			file, found := names[c.With]
			if !found {
				if key := p.File + "\x00" + c.With; !reported[key] {
					reported[key] = true
					pos := c.Pos
					if pos.File == "" {
						pos.File = p.File
					}
					list = append(list, &Error{Pos: pos, Msg: fmt.Sprintf("compare.with: no experiment named %.80q among the files given or the YAML files beside %s", c.With, filepath.Base(p.File))})
				}
				continue
			}
			f, err := ReadFile(file, opts)
			if err != nil { // ReadFile reports an ErrorList
				var l ErrorList
				if !errors.As(err, &l) {
					l = ErrorList{{Pos: Pos{File: file}, Msg: err.Error()}}
				}
				list = append(list, l...)
				have[c.With] = true
				continue
			}
			if f.Plan == nil || f.Plan.Experiment != c.With {
				continue
			}
			have[c.With] = true
			added = append(added, f.Plan)
			queue = append(queue, f.Plan)
		}
	}
	if len(list) > 0 {
		return added, list
	}
	return added, nil
}

// experimentNames maps the experiment names of a folder's YAML files to
// their paths, from each file's name: key (or its file name), without
// compiling them. A name two files share maps to the first in sorted order.
func experimentNames(dir string) map[string]string {
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.Type().IsRegular() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := readYAML(f)
		if err != nil {
			continue
		}
		var top struct {
			Name   string     `yaml:"name"`
			Train  *yaml.Node `yaml:"train"`
			Probe  *yaml.Node `yaml:"probe"`
			Survey *yaml.Node `yaml:"survey"`
		}
		if yaml.Unmarshal(data, &top) != nil || (top.Train == nil && top.Probe == nil) {
			continue // not an experiment (a fragment, a source, a report)
		}
		name := top.Name
		if name == "" {
			name = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		}
		if _, dup := out[name]; !dup {
			out[name] = f
		}
	}
	return out
}
