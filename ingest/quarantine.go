package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// QuarantinedSegment is a spool segment moved to failed/: ClickHouse kept
// refusing its data, or it could not be decoded.
type QuarantinedSegment struct {
	Name    string
	Records int // lines
	Bytes   int64
	Age     time.Duration // since the segment was written
}

// readQuarantine lists failed/ (nothing when it does not exist).
func readQuarantine(dir string) ([]QuarantinedSegment, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool quarantine: %w", err)
	}
	var out []QuarantinedSegment
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".ndjson") {
			continue
		}
		n, size, err := countLines(filepath.Join(dir, e.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue // retried meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("spool quarantine: %w", err)
		}
		out = append(out, QuarantinedSegment{Name: e.Name(), Records: n, Bytes: size, Age: segmentAge(e.Name())})
	}
	return out, nil
}

func countLines(path string) (lines int, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	buf := make([]byte, 64<<10)
	last := byte('\n')
	for {
		n, err := br.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		size += int64(n)
		if n > 0 {
			last = buf[n-1]
		}
		if errors.Is(err, io.EOF) {
			if last != '\n' {
				lines++
			}
			return lines, size, nil
		}
		if err != nil {
			return 0, 0, err
		}
	}
}

// ListQuarantine lists the quarantined segments of the spool under root,
// oldest first, without changing anything.
func ListQuarantine(root string) ([]QuarantinedSegment, error) {
	return readQuarantine(filepath.Join(root, failedDir))
}

// RetryQuarantine puts quarantined segments (all when names is empty) back
// under the spool's root, where the next drain of a running process, or of
// the next one started, adopts them. It returns the segments moved.
func RetryQuarantine(root string, names []string) ([]string, error) {
	failed := filepath.Join(root, failedDir)
	if len(names) == 0 {
		q, err := readQuarantine(failed)
		if err != nil {
			return nil, err
		}
		for _, s := range q {
			names = append(names, s.Name)
		}
	}
	var moved []string
	for _, n := range names {
		if filepath.Base(n) != n || !strings.HasSuffix(n, ".ndjson") {
			return moved, fmt.Errorf("spool retry: %q is not a segment name (see globaloffice spool list)", n)
		}
		if err := os.Rename(filepath.Join(failed, n), filepath.Join(root, n)); err != nil {
			return moved, fmt.Errorf("spool retry: %w", err)
		}
		moved = append(moved, n)
	}
	if len(moved) > 0 {
		if err := syncDir(root); err != nil {
			return moved, fmt.Errorf("spool retry: %w", err)
		}
	}
	return moved, nil
}
