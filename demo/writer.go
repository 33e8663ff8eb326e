package demo

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// fileLayout names the folder, the file prefix, the extension and the
// header of each output file.
var fileLayout = [nFiles]struct {
	folder, ext, header string
}{
	fileContacts: {"contacts", ".csv", ContactsHeader + "\n"},
	fileCases:    {"cases", ".ndjson", ""},
	fileSurveys:  {"surveys", ".csv", SurveysHeader + "\n"},
}

// writer writes one month's three files at a time, each under a temporary
// name renamed once complete.
type writer struct {
	dir     string
	f       [nFiles]*os.File
	bw      [nFiles]*bufio.Writer
	final   [nFiles]string
	written []string
}

func newWriter(dir string) (*writer, error) {
	for _, l := range fileLayout {
		if err := os.MkdirAll(filepath.Join(dir, l.folder), 0o755); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	return &writer{dir: dir}, nil
}

func (w *writer) startMonth(month string) error {
	for i, l := range fileLayout {
		w.final[i] = filepath.Join(w.dir, l.folder, l.folder+"-"+month+l.ext)
		f, err := os.Create(w.final[i] + ".tmp")
		if err != nil {
			return err
		}
		w.f[i] = f
		w.bw[i] = bufio.NewWriterSize(f, 1<<20)
		if _, err := w.bw[i].WriteString(l.header); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
	}
	return nil
}

func (w *writer) write(i int, b []byte) error {
	if _, err := w.bw[i].Write(b); err != nil {
		return fmt.Errorf("%s: %w", w.f[i].Name(), err)
	}
	return nil
}

func (w *writer) endMonth() error {
	for i, f := range w.f {
		err := w.bw[i].Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), w.final[i])
		}
		w.f[i] = nil
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		w.written = append(w.written, w.final[i])
	}
	return nil
}

// abort closes and removes the month's unfinished files.
func (w *writer) abort() {
	for i, f := range w.f {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
			w.f[i] = nil
		}
	}
}

func (w *writer) files() []string {
	out := slices.Clone(w.written)
	slices.Sort(out)
	return out
}

// run generates every site-month on workers goroutines and writes the
// results in a fixed order (month, then site), so the output does not
// depend on scheduling. At most 2×workers chunks are in memory at once,
// plus the records carried to later months.
func (g *generator) run(ctx context.Context, w *writer, workers int, progress func(Progress)) (Summary, error) {
	if len(g.sites) == 0 {
		return Summary{}, fmt.Errorf("%w: no sites", ErrOptions)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()

	type job struct {
		month int
		site  *site
		res   chan *chunk
	}
	jobs := make(chan job)
	order := make(chan chan *chunk, 2*workers)
	wg.Go(func() {
		defer close(jobs)
		for m := range g.months {
			for _, s := range g.sites {
				res := make(chan *chunk, 1)
				select {
				case order <- res:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- job{m, s, res}:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					j.res <- nil
					continue
				}
				k := g.newChunk(j.month, j.site)
				k.run()
				j.res <- k
			}
		})
	}

	next := func() (*chunk, error) {
		var res chan *chunk
		select {
		case res = <-order:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		select {
		case k := <-res:
			if k == nil {
				return nil, ctx.Err()
			}
			return k, k.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}

	var sum Summary
	pending := map[int]*[nFiles][][]byte{} // by month: records carried from earlier chunks
	for m := range g.months {
		month := g.monthName(m)
		if err := w.startMonth(month); err != nil {
			return sum, err
		}
		if p := pending[m]; p != nil {
			for i := range nFiles {
				for _, b := range p[i] {
					if err := w.write(i, b); err != nil {
						return sum, err
					}
				}
			}
			delete(pending, m)
		}
		for range g.sites {
			k, err := next()
			if err != nil {
				return sum, err
			}
			for i := range nFiles {
				if err := w.write(i, k.out[i]); err != nil {
					return sum, err
				}
			}
			for mi, bufs := range k.future {
				p := pending[mi]
				if p == nil {
					p = &[nFiles][][]byte{}
					pending[mi] = p
				}
				for i := range nFiles {
					if len(bufs[i]) > 0 {
						p[i] = append(p[i], bufs[i])
					}
				}
			}
			sum.add(k.n)
		}
		if err := w.endMonth(); err != nil {
			return sum, err
		}
		if progress != nil {
			progress(Progress{Month: month, MonthsDone: m + 1, MonthsTotal: g.months, Records: sum.Records()})
		}
	}
	return sum, nil
}
