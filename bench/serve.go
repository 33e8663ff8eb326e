package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"globaloffice/auth"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
)

// serveAndPost starts `globaloffice serve` on a fresh database, posts the
// bodies with several clients, and stops it.
func serveAndPost(ctx context.Context, o IngestOptions, opts store.Options, sites []model.Site, run httpRun) (IngestResult, error) {
	if err := freshDB(ctx, opts); err != nil {
		return IngestResult{}, err
	}
	db, err := store.Open(ctx, opts)
	if err != nil {
		return IngestResult{}, err
	}
	err = db.UpsertSites(ctx, sites)
	// The clients send as a collector, as real senders do.
	tok, secret, terr := auth.NewToken("bench", model.RoleCollector, nil, nil, "bench", time.Now(), 0)
	if err == nil {
		err = terr
	}
	if err == nil {
		err = db.PutToken(ctx, tok)
	}
	db.Close()
	if err != nil {
		return IngestResult{}, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return IngestResult{}, err
	}
	addr := l.Addr().String()
	l.Close()
	home := filepath.Join(o.WorkDir, "home-"+opts.Database)
	_ = os.RemoveAll(home)
	args := []string{"serve"}
	if o.CPUProfile != "" {
		args = append(args, "--cpuprofile", o.CPUProfile+"."+run.label)
	}
	cmd := exec.CommandContext(ctx, o.Binary, args...)
	cmd.Env = append(os.Environ(),
		"GLOBALOFFICE_HOME="+home,
		"GLOBALOFFICE_SERVER_ADDR="+addr,
		"GLOBALOFFICE_CLICKHOUSE_ADDR="+opts.Addr,
		"GLOBALOFFICE_CLICKHOUSE_DATABASE="+opts.Database,
	)
	var serverLog bytes.Buffer
	cmd.Stdout, cmd.Stderr = &serverLog, &serverLog
	if err := cmd.Start(); err != nil {
		return IngestResult{}, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			return IngestResult{}, fmt.Errorf("server did not answer: %s", serverLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	var next, accepted atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	bodies := run.bodies
	head := "POST /api/v1/ingest/contacts HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: " + run.ctype + "\r\nAuthorization: Bearer " + secret + "\r\nContent-Length: "
	ch0, srv0, snd0 := o.clickhouseCPU(), processCPU(cmd.Process.Pid), processCPU(os.Getpid())
	t0 := time.Now()
	for w := 0; w < run.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each client keeps its connection, as a collector of its own
			// would, and writes its requests itself, headers and body in
			// one write, as load generators do: net/http's client cost
			// about 80 µs of the machine's two cores a request, the
			// server's own cost being about 290 (the server reads the
			// same requests either way).
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				fail(err)
				return
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			var hdr []byte
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				hdr = append(strconv.AppendInt(append(hdr[:0], head...), int64(len(bodies[i])), 10), "\r\n\r\n"...)
				bufs := net.Buffers{hdr, bodies[i]}
				if _, err := bufs.WriteTo(conn); err != nil {
					fail(err)
					return
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					fail(err)
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				var res ingest.Result
				switch {
				case err != nil:
				case resp.StatusCode != 200:
					err = fmt.Errorf("status %d: %s", resp.StatusCode, b)
				case resp.Close:
					err = fmt.Errorf("the server closed the connection: %s", b)
				default:
					if err = json.Unmarshal(b, &res); err == nil {
						accepted.Add(int64(res.Accepted))
						if res.Rejected > 0 {
							err = fmt.Errorf("%d rejected: %+v", res.Rejected, res.Rejects[0])
						}
					}
				}
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	secs := time.Since(t0).Seconds()
	if firstErr != nil {
		return IngestResult{}, firstErr
	}
	rss, _ := peakRSS(cmd.Process.Pid)
	r := IngestResult{Records: int(accepted.Load()), Seconds: secs, PeakRSSMB: rss,
		ClickHouseCPU: o.clickhouseCPU() - ch0, ClientCPU: processCPU(cmd.Process.Pid) - srv0, SenderCPU: processCPU(os.Getpid()) - snd0}
	r.Inserts = contactInserts(ctx, base, r.Records)
	return r, nil
}

// contactInserts reads from the server's metrics how many inserts stored
// its contacts, once all n are inserted (records answered from the spool
// are inserted shortly after their answer); 0 when unknown.
func contactInserts(ctx context.Context, base string, n int) int {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
		if err != nil {
			return 0
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		rows, inserts := metricValue(b, `globaloffice_ingest_batch_records_sum{kind="contacts"}`), metricValue(b, `globaloffice_ingest_batch_records_count{kind="contacts"}`)
		if int(rows) >= n {
			return int(inserts)
		}
	}
	return 0
}

// metricValue is the value of a series in Prometheus' text format (0 when
// absent).
func metricValue(text []byte, series string) float64 {
	for line := range bytes.Lines(text) {
		if rest, ok := bytes.CutPrefix(line, []byte(series+" ")); ok {
			v, _ := strconv.ParseFloat(string(bytes.TrimSpace(rest)), 64)
			return v
		}
	}
	return 0
}
