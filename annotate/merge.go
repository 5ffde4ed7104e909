package annotate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/skybias/skybias/internal/atomicfile"
)

// ShardPath is the file shard k of n of the catalog out is written to.
func ShardPath(out string, k, n int) string {
	return fmt.Sprintf("%s.shard-%d-of-%d", out, k, n)
}

// Merge joins the n shards of a catalog (written by Run with Shard 1..n
// to ShardPath(out, k, n)) into out, in order: the same bytes as one
// unsharded run. Each shard must be complete and of the same catalog
// (its Meta apart from the shard number). The shard files are removed
// once out is written.
func Merge(out string, n int) error {
	if n < 1 {
		return fmt.Errorf("merge: %d shards", n)
	}
	var whole *Meta
	var head []byte
	tmp, err := atomicfile.Create(out)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	defer tmp.Abort()
	buf := bufio.NewWriter(tmp)
	rows := 0
	for k := 1; k <= n; k++ {
		p := ShardPath(out, k, n)
		mb, err := os.ReadFile(p + ".meta.json")
		if err != nil {
			return fmt.Errorf("merge: shard %d of %d: %w", k, n, err)
		}
		var m Meta
		if err := json.Unmarshal(mb, &m); err != nil {
			return fmt.Errorf("merge: %s.meta.json: %w", p, err)
		}
		if m.Shard != k || m.Shards != n {
			return fmt.Errorf("merge: %s.meta.json says shard %d of %d", p, m.Shard, m.Shards)
		}
		m.Shard, m.Shards = 0, 0
		if whole == nil {
			whole = &m
		} else if a, b := mustJSON(*whole), mustJSON(m); !bytes.Equal(a, b) {
			return fmt.Errorf("merge: shard %d of %d is of another catalog than shard 1 (networks, galaxies or batch differ)", k, n)
		}
		f, err := os.Open(p)
		if err != nil {
			if _, perr := os.Stat(p + ".partial"); perr == nil {
				return fmt.Errorf("merge: shard %d of %d did not finish (%s.partial); run it again", k, n, p)
			}
			return fmt.Errorf("merge: shard %d of %d: %w", k, n, err)
		}
		r := bufio.NewReader(f)
		h, err := r.ReadBytes('\n')
		if err != nil {
			f.Close()
			return fmt.Errorf("merge: %s: no header", p)
		}
		if head == nil {
			head = h
			buf.Write(h)
		} else if !bytes.Equal(h, head) {
			f.Close()
			return fmt.Errorf("merge: %s: header differs from shard 1's", p)
		}
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 && line[len(line)-1] == '\n' {
				rows++
				buf.Write(line)
			} else if len(line) > 0 {
				f.Close()
				return fmt.Errorf("merge: %s ends in a cut row", p)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("merge: %s: %w", p, err)
			}
		}
		f.Close()
	}
	if rows != whole.Galaxies {
		return fmt.Errorf("merge: the shards hold %d galaxies; the catalog has %d", rows, whole.Galaxies)
	}
	if err := atomicfile.WriteFile(out+".meta.json", append(mustJSON(*whole), '\n')); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := tmp.Commit(); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	for k := 1; k <= n; k++ {
		p := ShardPath(out, k, n)
		os.Remove(p)
		os.Remove(p + ".meta.json")
	}
	return nil
}

func mustJSON(m Meta) []byte {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}
