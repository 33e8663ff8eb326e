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
	"sync/atomic"
	"syscall"
	"time"
)

// Spool keeps accepted records on local disk while ClickHouse cannot take
// them. Each segment is one file of JSON lines written to a temporary name,
// fsynced, renamed and its folder fsynced, so a segment is either wholly
// there or not at all, even after a crash.
//
// Several processes may share a home (a server, a file ingest, a status):
// each writes into a folder of its own under the spool's root, locked
// (flock) for as long as the process lives, so that no process deletes
// another's temporary files or drains its segments. A folder whose lock is
// free belongs to a process that is gone: the next drain of any process
// adopts its segments (moves them into its own folder) and removes it.
type Spool struct {
	root string // home/spool: the process folders, failed/, sites.json
	dir  string // this process's folder
	lock *os.File
	mu   sync.Mutex
	seq  int
	// open reads a segment (os.Open; a test's seam for read errors).
	open func(string) (io.ReadCloser, error)
	// qmu guards qlines: the line counts of quarantined segments, by name
	// (a name is never reused), so that the gauge does not read them again.
	qmu    sync.Mutex
	qlines map[string]int
	// maxBytes caps the bytes of this process's segments (0: the disk is
	// the limit); used is their total, kept as segments come and go.
	maxBytes int64
	used     atomic.Int64
}

// ErrSpoolFull says a segment would take the spool past its size cap: the
// records are not acknowledged (the client gets a 503 and sends again).
var ErrSpoolFull = errors.New("spool full")

// SetMaxBytes caps the bytes of this process's segments (0: no cap but the
// disk's).
func (s *Spool) SetMaxBytes(n int64) { s.maxBytes = n }

// procPrefix starts the name of a process's folder; a folder being created
// is named with newPrefix until it is locked, so that no other process
// takes it for an orphan meanwhile.
const (
	procPrefix = "p-"
	newPrefix  = ".new-"
	lockName   = "lock"
	failedDir  = "failed"
)

// OpenSpool opens (creating) the spool under root: a new locked folder of
// this process's own, and adopts the segments of processes that are gone.
// Close releases it.
func OpenSpool(root string) (*Spool, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", root, err)
	}
	id := fmt.Sprintf("%019d-%d", time.Now().UnixNano(), os.Getpid())
	tmpDir := filepath.Join(root, newPrefix+id)
	if err := os.Mkdir(tmpDir, 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", root, err)
	}
	lock, err := os.OpenFile(filepath.Join(tmpDir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	dir := filepath.Join(root, procPrefix+id)
	if err == nil {
		err = os.Rename(tmpDir, dir)
	}
	if err == nil {
		err = syncDir(root)
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		os.RemoveAll(tmpDir)
		return nil, fmt.Errorf("spool %s: %w", root, err)
	}
	s := &Spool{root: root, dir: dir, lock: lock}
	if err := s.Adopt(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the process's folder: removed when empty, else left for
// the next process to adopt.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock == nil {
		return nil
	}
	if names, err := s.segmentsIn(s.dir); err == nil && len(names) == 0 {
		_ = os.RemoveAll(s.dir)
		_ = syncDir(s.root)
	}
	err := s.lock.Close() // the lock goes with the descriptor
	s.lock = nil
	return err
}

// Adopt moves into this process's folder the segments left by processes
// that are gone (their folder's lock is free) and those put directly under
// the root (by `globaloffice spool retry`, or an older version), then
// removes the orphans' folders with their unfinished temporary files.
func (s *Spool) Adopt() error {
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	moved := false
	for _, e := range entries {
		name := e.Name()
		switch {
		case !e.IsDir() && strings.HasSuffix(name, ".ndjson"):
			if n, err := s.moveIn(filepath.Join(s.root, name), name); err == nil {
				moved = true
				s.count(n)
			}
		case e.IsDir() && strings.HasPrefix(name, procPrefix) && filepath.Join(s.root, name) != s.dir:
			m, err := s.adoptFolder(filepath.Join(s.root, name))
			if err != nil {
				return err
			}
			moved = moved || m
		}
	}
	if moved {
		return syncDir(s.dir)
	}
	return nil
}

// adoptFolder takes the segments of another process's folder if its lock is
// free.
func (s *Spool) adoptFolder(dir string) (bool, error) {
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // being removed by its owner or another adopter
	}
	if err != nil {
		return false, fmt.Errorf("spool %s: %w", dir, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false, nil // its process is alive
	}
	names, err := s.segmentsIn(dir)
	if err != nil {
		return false, err
	}
	for _, n := range names {
		moved, err := s.moveIn(filepath.Join(dir, n), n)
		if err != nil {
			return false, fmt.Errorf("spool: adopting %s: %w", n, err)
		}
		s.count(moved)
	}
	// What is left are temporary files: segments whose write did not
	// finish, never acknowledged.
	if err := os.RemoveAll(dir); err != nil {
		return len(names) > 0, fmt.Errorf("spool: %w", err)
	}
	return len(names) > 0, syncDir(s.root)
}

// moveIn moves a segment into this process's folder without replacing one
// of the same name (two processes may have named a segment alike): it then
// takes a name of its own, still in order. It returns the name given.
func (s *Spool) moveIn(src, name string) (string, error) {
	dst := name
	for i := 0; ; i++ {
		err := os.Link(src, filepath.Join(s.dir, dst))
		if err == nil {
			return dst, os.Remove(src)
		}
		if !errors.Is(err, os.ErrExist) || i == 100 {
			return "", err
		}
		dst = fmt.Sprintf("%s-%d.ndjson", strings.TrimSuffix(name, ".ndjson"), i+1)
	}
}

// count adds an adopted segment to the bytes used.
func (s *Spool) count(name string) {
	if st, err := os.Stat(filepath.Join(s.dir, name)); err == nil {
		s.used.Add(st.Size())
	}
}

// Root is the spool's root folder (home/spool).
func (s *Spool) Root() string { return s.root }

// FailedDir is where quarantined segments are.
func (s *Spool) FailedDir() string { return filepath.Join(s.root, failedDir) }

// Dir is this process's folder.
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
	w := segmentWriters.Get().(*bufio.Writer)
	w.Reset(f)
	defer func() { w.Reset(nil); segmentWriters.Put(w) }()
	var line []byte
	var size int64
	for _, r := range recs {
		if line, err = appendRecordJSON(line[:0], r); err == nil {
			_, err = w.Write(line)
			size += int64(len(line))
		}
		if err != nil {
			f.Close()
			os.Remove(tmp)
			return fmt.Errorf("spool: %w", err)
		}
	}
	err = w.Flush()
	if err == nil {
		if s.maxBytes > 0 && s.used.Load()+size > s.maxBytes {
			err = fmt.Errorf("%w: %d bytes more would pass its cap of %d", ErrSpoolFull, size, s.maxBytes)
		}
	}
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
	s.used.Add(size)
	return nil
}

// segmentWriters buffer segment writes, reused: under many small requests
// the loop writes a segment every few milliseconds.
var segmentWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Segments lists this process's segments, oldest first.
func (s *Spool) Segments() ([]string, error) { return s.segmentsIn(s.dir) }

func (s *Spool) segmentsIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
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

// ErrCorruptSegment says a segment cannot be decoded: retrying cannot
// help, it is quarantined. Any other read error is retried.
var ErrCorruptSegment = errors.New("corrupt spool segment")

// Read loads one segment.
func (s *Spool) Read(name string) ([]Record, error) {
	open := s.open
	if open == nil {
		open = func(p string) (io.ReadCloser, error) { return os.Open(p) }
	}
	f, err := open(filepath.Join(s.dir, name))
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
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("spool segment %s: %w: %w", name, ErrCorruptSegment, err)
		}
		if err != nil {
			return nil, fmt.Errorf("spool segment %s: %w", name, err) // the disk's: retried
		}
		if r.Contact == nil && r.Case == nil && r.Survey == nil && r.Reject == nil {
			return nil, fmt.Errorf("spool segment %s: %w: record %d holds no record", name, ErrCorruptSegment, len(out)+1)
		}
		out = append(out, r)
	}
}

// forget takes a segment leaving this process's folder out of the bytes used.
func (s *Spool) forget(name string) {
	if st, err := os.Stat(filepath.Join(s.dir, name)); err == nil {
		s.used.Add(-st.Size())
	}
}

// Remove deletes a segment once its records are stored.
func (s *Spool) Remove(name string) error {
	s.forget(name)
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(s.dir)
}

// Quarantine moves a segment that ClickHouse keeps refusing aside, into
// failed/, where an operator can look at it; it is not deleted.
func (s *Spool) Quarantine(name string) error {
	failed := s.FailedDir()
	if err := os.MkdirAll(failed, 0o700); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.forget(name)
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(failed, name)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(failed); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(s.dir)
}

// SpoolStats is what a spool's root holds, every process's folder included.
type SpoolStats struct {
	Segments           int           // waiting to be drained
	Oldest             time.Duration // age of the oldest waiting
	Quarantined        int           // segments in failed/
	QuarantinedRecords int           // their records (lines)
}

// ReadSpoolStats reads what the spool under root holds without changing
// anything: no lock taken, no file removed (for status, while a server or
// an ingest writes there).
func ReadSpoolStats(root string) (SpoolStats, error) {
	var st SpoolStats
	var oldest string
	count := func(dir string) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".ndjson") {
				st.Segments++
				if oldest == "" || e.Name() < oldest {
					oldest = e.Name()
				}
			}
		}
		return nil
	}
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("spool: %w", err)
	}
	if err := count(root); err != nil {
		return st, fmt.Errorf("spool: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), procPrefix) {
			if err := count(filepath.Join(root, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return st, fmt.Errorf("spool: %w", err)
			}
		}
	}
	st.Oldest = segmentAge(oldest)
	q, err := readQuarantine(filepath.Join(root, failedDir))
	if err != nil {
		return st, err
	}
	for _, seg := range q {
		st.Quarantined++
		st.QuarantinedRecords += seg.Records
	}
	return st, nil
}

func segmentAge(name string) time.Duration {
	if name == "" {
		return 0
	}
	var ns int64
	fmt.Sscanf(name, "%d-", &ns)
	return time.Since(time.Unix(0, ns))
}

// QuarantinedRecords is the number of records (lines) in failed/.
func (s *Spool) QuarantinedRecords() int {
	entries, err := os.ReadDir(s.FailedDir())
	if err != nil {
		return 0
	}
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if s.qlines == nil {
		s.qlines = map[string]int{}
	}
	total := 0
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".ndjson") {
			continue
		}
		seen[name] = true
		n, ok := s.qlines[name]
		if !ok {
			if n, _, err = countLines(filepath.Join(s.FailedDir(), name)); err != nil {
				continue
			}
			s.qlines[name] = n
		}
		total += n
	}
	for name := range s.qlines {
		if !seen[name] {
			delete(s.qlines, name) // retried
		}
	}
	return total
}

// Stats reports the number of this process's segments and the age of the oldest.
func (s *Spool) Stats() (segments int, oldest time.Duration) {
	names, err := s.Segments()
	if err != nil || len(names) == 0 {
		return 0, 0
	}
	return len(names), segmentAge(names[0])
}
