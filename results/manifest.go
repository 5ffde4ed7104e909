package results

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/skybias/skybias/dsl"
)

// Manifest records where a result came from: the job and the YAML it was
// compiled from, the code and Go version, the data, the machine and how
// long each stage took.
type Manifest struct {
	Job        *dsl.Job           `json:"job"`
	YAML       map[string]string  `json:"yaml,omitempty"`
	Module     string             `json:"module"`
	Version    string             `json:"version"`
	Revision   string             `json:"vcs_revision,omitempty"`
	Modified   bool               `json:"vcs_modified,omitempty"`
	GoVersion  string             `json:"go_version"`
	DataDigest string             `json:"data_digest"`
	SplitSeed  uint64             `json:"split_seed"`
	TrainSeed  uint64             `json:"train_seed"`
	Host       string             `json:"host"`
	CPUs       int                `json:"cpus"`
	Started    time.Time          `json:"started"`
	Finished   time.Time          `json:"finished"`
	Seconds    map[string]float64 `json:"seconds"`
	EpochSecs  []float64          `json:"epoch_seconds"`
}

// NewManifest starts a job's manifest: provenance now, timings as the
// job runs.
func NewManifest(job *dsl.Job) *Manifest {
	m := &Manifest{Job: job, GoVersion: runtime.Version(), DataDigest: job.Source.Digest,
		SplitSeed: job.SplitSeed, TrainSeed: job.Training.Seed, CPUs: runtime.GOMAXPROCS(0),
		Started: time.Now().UTC(), Seconds: map[string]float64{}}
	m.Host, _ = os.Hostname()
	if bi, ok := debug.ReadBuildInfo(); ok {
		m.Module, m.Version = bi.Main.Path, bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				m.Revision = s.Value
			case "vcs.modified":
				m.Modified = s.Value == "true"
			}
		}
	}
	if m.Revision == "" {
		m.Revision = gitRevision(filepath.Dir(job.File))
	}
	m.YAML = map[string]string{}
	if b, err := os.ReadFile(job.File); err == nil {
		m.YAML[filepath.Base(job.File)] = string(b)
	}
	return m
}

// gitRevision reads the checked-out commit of the repository holding dir
// (for builds without VCS stamping, such as go run), or "".
func gitRevision(dir string) string {
	for d := dir; d != "" && d != "/" && d != "."; d = filepath.Dir(d) {
		head, err := os.ReadFile(filepath.Join(d, ".git", "HEAD"))
		if err != nil {
			continue
		}
		s := string(head)
		if len(s) > 5 && s[:5] == "ref: " {
			ref := filepath.Join(d, ".git", trimNL(s[5:]))
			if b, err := os.ReadFile(ref); err == nil {
				return trimNL(string(b))
			}
			return ""
		}
		return trimNL(s)
	}
	return ""
}

func trimNL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
