package ingest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Spool keeps accepted records on local disk while ClickHouse cannot take
// them. Each segment is one file of JSON lines written to a temporary name,
// fsynced, renamed and its folder fsynced, so a segment is either wholly
// there or not at all, even after a crash.
type Spool struct {
	dir string
	mu  sync.Mutex
	seq int
}

// OpenSpool opens (creating) the spool folder.
func OpenSpool(dir string) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	// Temporary files are segments whose write did not finish: never acknowledged.
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	for _, t := range tmps {
		_ = os.Remove(t)
	}
	return &Spool{dir: dir}, nil
}

// Dir is the spool folder.
func (s *Spool) Dir() string { return s.dir }

// NextName is the name of a new segment, in order after every other: a
// caller can claim it before the segment appears (see WriteAs).
func (s *Spool) NextName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("%019d-%06d.ndjson", time.Now().UnixNano(), s.seq)
}

// WriteAs stores records durably as the new segment name (from NextName).
func (s *Spool) WriteAs(name string, recs []Record) error {
	final := filepath.Join(s.dir, name)
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	for _, r := range recs {
		if line, err = appendRecordJSON(line[:0], r); err == nil {
			_, err = w.Write(line)
		}
		if err != nil {
			f.Close()
			os.Remove(tmp)
			return fmt.Errorf("spool: %w", err)
		}
	}
	err = w.Flush()
	if err == nil {
		err = f.Sync() // the data is on disk before the segment is acknowledged
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Segments lists the segments, oldest first.
func (s *Spool) Segments() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".ndjson") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Read loads one segment.
func (s *Spool) Read(name string) ([]Record, error) {
	f, err := os.Open(filepath.Join(s.dir, name))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	var out []Record
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	for {
		var r Record
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("spool segment %s: %w", name, err)
		}
		if r.Contact == nil && r.Case == nil && r.Survey == nil && r.Reject == nil {
			return nil, fmt.Errorf("spool segment %s: record %d holds no record", name, len(out)+1)
		}
		out = append(out, r)
	}
}

// Remove deletes a segment once its records are stored.
func (s *Spool) Remove(name string) error {
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(s.dir)
}

// Quarantine moves a segment that ClickHouse keeps refusing aside, into
// failed/, where an operator can look at it; it is not deleted.
func (s *Spool) Quarantine(name string) error {
	failed := filepath.Join(s.dir, "failed")
	if err := os.MkdirAll(failed, 0o700); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(failed, name)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(failed); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(s.dir)
}

// Stats reports the number of segments and the age of the oldest.
func (s *Spool) Stats() (segments int, oldest time.Duration) {
	names, err := s.Segments()
	if err != nil || len(names) == 0 {
		return 0, 0
	}
	var ns int64
	fmt.Sscanf(names[0], "%d-", &ns)
	return len(names), time.Since(time.Unix(0, ns))
}
