package commands

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"globaloffice/ingest"
	"globaloffice/store"
)

func (a *app) ingestCommand() *cobra.Command {
	var format, source, mappingName string
	cmd := &cobra.Command{
		Use:   "ingest contacts|cases|surveys PATH... | ingest pending",
		Short: "Ingest files or folders of records (exit 0: all accepted, 2: some rejected, 1: failure)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := ingest.ParseKind(args[0])
			if err != nil {
				return err
			}
			files, err := listFiles(args[1:], mappingName != "")
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("no files to ingest in %s (folders are searched for .csv, .ndjson, .jsonl and .json files; with --mapping, for every file)", strings.Join(args[1:], ", "))
			}
			ctx := cmd.Context()
			c, err := a.collectors(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			var mapping *ingest.Mapping
			if mappingName != "" {
				if mapping, err = c.mappings.Get(mappingName); err != nil {
					return err
				}
			}
			var total ingest.Result
			var bar *mpb.Bar
			var progress *mpb.Progress
			if isTerminal(a.stderr) {
				progress = mpb.New(mpb.WithOutput(a.stderr), mpb.WithWidth(40))
				bar = progress.AddBar(int64(len(files)),
					mpb.PrependDecorators(decor.Name("ingest "+string(kind)+" "), decor.CountersNoUnit("%d/%d files")),
					mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
			}
			for _, path := range files {
				fm := ingest.Format(format)
				if fm == "" && mapping != nil {
					fm = mapping.Format
					if mapping.Decoder != "" {
						fm = ingest.Format(mapping.Decoder) // reads the file whatever its name
					}
				}
				if fm == "" {
					fm, err = formatOf(path)
					if err != nil {
						return err
					}
				}
				res, err := a.ingestFile(ctx, c.service, kind, fm, source, path, mapping)
				if err != nil {
					if progress != nil {
						bar.Abort(false)
						progress.Wait()
					}
					return fmt.Errorf("%s: %w", path, err)
				}
				shown := 0
				for _, r := range res.Rejects {
					if shown == maxShownRejects {
						fmt.Fprintf(a.stderr, "%s: … and %d more rejects (globaloffice rejects list)\n", path, res.Rejected-shown)
						break
					}
					shown++
					where := fmt.Sprintf("record %d", r.Index+1)
					if r.Line > 0 {
						where = fmt.Sprintf("line %d", r.Line)
					}
					field := ""
					if r.Field != "" {
						field = r.Field + ": "
					}
					fmt.Fprintf(a.stderr, "%s:%s: %s%s\n", path, where, field, r.Reason)
				}
				if len(res.IgnoredColumns) > 0 {
					fmt.Fprintf(a.stderr, "%s: columns not in mapping %s, ignored: %s\n", path, mapping.Name, strings.Join(res.IgnoredColumns, ", "))
				}
				if res.Incomplete > 0 {
					fmt.Fprintf(a.stderr, "%s: %d incomplete records skipped (mapping %s: skip_when_empty)\n", path, res.Incomplete, mapping.Name)
				}
				if res.Pending > 0 {
					fmt.Fprintf(a.stderr, "%s: %d calls pending, waiting for their other part in a later export (globaloffice ingest pending)\n", path, res.Pending)
				}
				for _, c := range res.Closed {
					fmt.Fprintf(a.stderr, "%s: call %s of %s closed: %s\n", path, c.CallID, c.Source, c.Reason)
				}
				total.Incomplete += res.Incomplete
				total.Pending += res.Pending
				total.Received += res.Received
				total.Accepted += res.Accepted
				total.Duplicates += res.Duplicates
				total.Rejected += res.Rejected
				total.Spooled += res.Spooled
				if bar != nil {
					bar.Increment()
				}
			}
			if progress != nil {
				progress.Wait()
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "%s\tfiles\treceived\taccepted\tduplicates\trejected\tspooled\tpending\n", kind)
			fmt.Fprintf(tw, "\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", len(files), total.Received, total.Accepted, total.Duplicates, total.Rejected, total.Spooled, total.Pending)
			_ = tw.Flush()
			if total.Rejected > 0 {
				return partialError{fmt.Sprintf("%d of %d records rejected (the rest stored); see globaloffice rejects list", total.Rejected, total.Received)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "csv, ndjson or json (default: from the file extension)")
	cmd.Flags().StringVar(&source, "source", "", "source system for records that do not name one")
	cmd.Flags().StringVar(&mappingName, "mapping", "", "mapping for a foreign export (see globaloffice mappings)")
	cmd.AddCommand(a.pendingCommand())
	return cmd
}

// pendingCommand lists the parts of Asterisk calls split across exports,
// and closes those that waited too long (what the server does every
// minute, for a setup that only ingests files).
func (a *app) pendingCommand() *cobra.Command {
	var source, state string
	var limit int
	var closeNow bool
	cmd := &cobra.Command{
		Use:   "pending [--source S] [--state open|resolved|closed] [--close]",
		Short: "Calls split across exports: the parts waiting for the rest, and why closed ones were closed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			switch state {
			case "", store.PartOpen, store.PartResolved, store.PartClosed:
			default:
				return fmt.Errorf("--state %q: want open, resolved or closed", state)
			}
			if closeNow {
				c, err := a.collectors(ctx)
				if err != nil {
					return err
				}
				closed, err := c.service.ClosePending(ctx, source)
				c.Close()
				if err != nil {
					return err
				}
				for _, cl := range closed {
					fmt.Fprintf(a.stdout, "closed call %s of %s: %s\n", cl.CallID, cl.Source, cl.Reason)
				}
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			parts, err := db.ListPendingParts(ctx, store.PendingFilter{Source: source, State: state, Limit: limit})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RECEIVED_AT\tSOURCE\tCALLID\tSTATE\tLINES\tORIGIN\tREASON")
			for _, p := range parts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", p.ReceivedAt.UTC().Format(time.RFC3339), p.Source, p.CallID, p.State,
					strings.Count(p.Lines, "\n")+1, p.Origin, p.Reason)
			}
			_ = tw.Flush()
			fmt.Fprintf(a.stdout, "%d parts\n", len(parts))
			return nil
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "source system")
	cmd.Flags().StringVar(&state, "state", "", "open, resolved or closed (default: all)")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many parts, the newest first")
	cmd.Flags().BoolVar(&closeNow, "close", false, "first close the calls that waited longer than ingest.pending_call_timeout")
	return cmd
}

// maxShownRejects bounds the rejects printed per file; all are stored.
const maxShownRejects = 5

func (a *app) ingestFile(ctx context.Context, svc *ingest.Service, kind ingest.Kind, format ingest.Format, source, path string, mapping *ingest.Mapping) (ingest.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return ingest.Result{}, err
	}
	defer f.Close()
	return svc.Ingest(ctx, kind, format, f, ingest.Options{Source: source, Origin: "file:" + path, Chunk: 50_000, Mapping: mapping})
}

func formatOf(path string) (ingest.Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return ingest.FormatCSV, nil
	case ".ndjson", ".jsonl":
		return ingest.FormatNDJSON, nil
	case ".json":
		return ingest.FormatJSON, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension: use --format csv|ndjson|json", path)
}

// listFiles expands folders into their .csv/.ndjson/.jsonl/.json files (or
// every file, for a mapping: a queue_log has no extension), sorted.
func listFiles(paths []string, all bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				if _, ferr := formatOf(path); ferr == nil || all && !strings.HasPrefix(d.Name(), ".") {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}
