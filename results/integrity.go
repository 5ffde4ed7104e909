package results

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/skybias/skybias/internal/filelock"
)

// SumsFile lists the SHA-256 of every other file of a result folder, in
// sha256sum's format (so `sha256sum -c SHA256SUMS` checks it by hand).
const SumsFile = "SHA256SUMS"

// checksums lays out SumsFile for a result's files, sorted by name.
func checksums(content Files) []byte {
	names := make([]string, 0, len(content))
	for n := range content {
		if n != SumsFile {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		sum := sha256.Sum256(content[n])
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), filepath.ToSlash(n))
	}
	return b.Bytes()
}

// DamagedError says that a stored result is not what was written: a file
// is missing, truncated or altered.
type DamagedError struct {
	// Dir is the result's folder; File the first damaged file in it.
	Dir, File string
	// Reason says what is wrong.
	Reason string
}

func (e *DamagedError) Error() string {
	return e.Describe() + " (run again with --repair to retrain it, or delete the folder)"
}

// Describe says what is damaged, without Error's advice on what to do.
func (e *DamagedError) Describe() string {
	return fmt.Sprintf("stored result %s is damaged: %s %s", e.Dir, filepath.Join(e.Dir, e.File), e.Reason)
}

// Verify checks a stored result against its checksums: nil when intact,
// a *DamagedError naming the file when not, os.ErrNotExist (wrapped) when
// there is none. A result written before checksums were kept is checked
// by reading its result.json. A result found intact is not read again by
// this Store (a run checks its results before training and loads them
// after: the files are hashed once).
func (s *Store) Verify(hash string) error {
	s.mu.Lock()
	done := s.verified[hash]
	s.mu.Unlock()
	if done {
		return nil
	}
	err := s.verify(hash)
	if err == nil {
		s.mu.Lock()
		if s.verified == nil {
			s.verified = map[string]bool{}
		}
		s.verified[hash] = true
		s.mu.Unlock()
	}
	return err
}

func (s *Store) verify(hash string) error {
	dir := s.Path(hash)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("result %s: %w", hash[:min(12, len(hash))], err)
	}
	sums, err := os.ReadFile(filepath.Join(dir, SumsFile))
	if errors.Is(err, os.ErrNotExist) {
		return verifyLegacy(dir)
	}
	if err != nil {
		return &DamagedError{Dir: dir, File: SumsFile, Reason: err.Error()}
	}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	listed := 0
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(want) != 64 || name == "" || strings.Contains(name, "..") || filepath.IsAbs(name) {
			return &DamagedError{Dir: dir, File: SumsFile, Reason: fmt.Sprintf("has a malformed line %q", clip(sc.Text()))}
		}
		listed++
		got, err := fileSum(filepath.Join(dir, filepath.FromSlash(name)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			return &DamagedError{Dir: dir, File: name, Reason: "is missing"}
		case err != nil:
			return &DamagedError{Dir: dir, File: name, Reason: err.Error()}
		case got != want:
			return &DamagedError{Dir: dir, File: name, Reason: "does not match its checksum (altered or truncated)"}
		}
	}
	if listed == 0 {
		return &DamagedError{Dir: dir, File: SumsFile, Reason: "lists no files"}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// verifyLegacy checks a result folder without checksums as far as it can:
// its result.json must parse, and must not say it was written with them.
func verifyLegacy(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		return &DamagedError{Dir: dir, File: "result.json", Reason: "is missing"}
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return &DamagedError{Dir: dir, File: "result.json", Reason: "does not parse (" + clip(err.Error()) + ")"}
	}
	if r.Checksummed {
		// Deleting the sums must not switch the check off.
		return &DamagedError{Dir: dir, File: SumsFile, Reason: "is missing, and this result was written with it"}
	}
	return nil
}

// Discard removes a stored result (a damaged one, before it is
// retrained): the folder is renamed aside first, so a reader never sees
// half of it.
func (s *Store) Discard(hash string) error {
	aside, err := os.MkdirTemp(s.Dir, ".discard-"+hash[:min(12, len(hash))]+"-")
	if err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	if err := os.Remove(aside); err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	if err := os.Rename(s.Path(hash), aside); err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	s.mu.Lock()
	delete(s.verified, hash)
	s.mu.Unlock()
	return os.RemoveAll(aside)
}

// StaleAge is how old a temporary folder in the store must be before
// SweepStale removes it. A result's temporary folder lives only while its
// files are written (after training), seconds at most.
const StaleAge = 10 * time.Minute

// SweepStale removes the temporary folders that interrupted writes and
// discards left in the store, those older than StaleAge, and returns how
// many it removed.
func (s *Store) SweepStale() (int, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("result store: %w", err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(name, ".tmp-") || strings.HasPrefix(name, ".discard-")) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < StaleAge {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.Dir, name)); err != nil {
			return n, fmt.Errorf("result store: %w", err)
		}
		n++
	}
	return n, nil
}

// LockJob takes the store's lock on one job, waiting while another run
// (another process, or another worker of this one) holds it; waiting is
// called once if it has to wait. Whoever holds the lock trains the job;
// a waiter then finds its result stored.
func (s *Store) LockJob(ctx context.Context, hash string, waiting func(holder int)) (unlock func(), err error) {
	l, err := filelock.Wait(ctx, filepath.Join(s.Dir, ".locks", hash+".lock"), 200*time.Millisecond, waiting)
	if err != nil {
		return nil, err
	}
	return l.Unlock, nil
}
