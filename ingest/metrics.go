package ingest

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the collectors' Prometheus series. Label values are bounded:
// kinds and outcomes are fixed lists, fields come from the record contracts,
// and sources beyond the first maxSources seen are counted as "other".
type Metrics struct {
	records     *prometheus.CounterVec
	rejects     *prometheus.CounterVec
	batchSize   *prometheus.HistogramVec
	insertSecs  *prometheus.HistogramVec
	spoolSegs   prometheus.Gauge
	spoolAge    prometheus.Gauge
	drainedRecs prometheus.Counter
	failingSegs prometheus.Gauge
	quarRecs    prometheus.Gauge
	quarTotal   prometheus.Counter
	chErrors    *prometheus.CounterVec

	mu      sync.Mutex
	sources map[string]bool
}

const maxSources = 50

// NewMetrics creates the series and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "globaloffice_ingest_records_total", Help: "Records received by the collectors, by kind, source and outcome (accepted, duplicate, rejected; pending: a part of an Asterisk call split across exports, counted again when its call is joined; closed: a pending call closed after ingest.pending_call_timeout).",
		}, []string{"kind", "source", "outcome"}),
		rejects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "globaloffice_ingest_rejects_total", Help: "Refused records by kind and the field at fault.",
		}, []string{"kind", "field"}),
		batchSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "globaloffice_ingest_batch_records", Help: "Records per ClickHouse insert.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}, []string{"kind"}),
		insertSecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "globaloffice_ingest_insert_seconds", Help: "Duration of ClickHouse inserts.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"kind"}),
		spoolSegs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "globaloffice_ingest_spool_segments", Help: "Segments waiting in the local spool for ClickHouse.",
		}),
		spoolAge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "globaloffice_ingest_spool_oldest_age_seconds", Help: "Age of the oldest spooled segment (0 when empty).",
		}),
		drainedRecs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "globaloffice_ingest_spool_drained_records_total", Help: "Records moved from the spool to ClickHouse.",
		}),
		failingSegs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "globaloffice_ingest_spool_failing_segments", Help: "Spool segments ClickHouse refused at their last drain, waiting for their next try.",
		}),
		quarRecs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "globaloffice_ingest_spool_quarantined_records", Help: "Acknowledged records in quarantined spool segments (spool/failed/), not in ClickHouse: alert when above 0.",
		}),
		quarTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "globaloffice_ingest_spool_quarantined_records_total", Help: "Records moved to the spool's quarantine by this process.",
		}),
		chErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "globaloffice_clickhouse_errors_total", Help: "ClickHouse errors seen by the collectors, by operation.",
		}, []string{"op"}),
		sources: map[string]bool{},
	}
	if reg != nil {
		reg.MustRegister(m.records, m.rejects, m.batchSize, m.insertSecs, m.spoolSegs, m.spoolAge, m.drainedRecs, m.failingSegs, m.quarRecs, m.quarTotal, m.chErrors)
	}
	return m
}

func (m *Metrics) source(s string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sources[s] {
		return s
	}
	if len(m.sources) >= maxSources || s == "" {
		return "other"
	}
	m.sources[s] = true
	return s
}

func (m *Metrics) countRecords(kind, source, outcome string, n int) {
	if m != nil {
		m.records.WithLabelValues(kind, m.source(source), outcome).Add(float64(n))
	}
}

func (m *Metrics) reject(kind Kind, source, field string) {
	if m == nil {
		return
	}
	m.records.WithLabelValues(string(kind), m.source(source), "rejected").Inc()
	if field != "" && !contains(fieldsOf[kind], field) && field != "scores" {
		field = "other"
	}
	if field == "" {
		field = "record"
	}
	m.rejects.WithLabelValues(string(kind), field).Inc()
}

func (m *Metrics) batch(kind string, n int, d time.Duration) {
	if m != nil {
		m.batchSize.WithLabelValues(kind).Observe(float64(n))
		m.insertSecs.WithLabelValues(kind).Observe(d.Seconds())
	}
}

func (m *Metrics) spool(s *Spool) {
	if m != nil {
		n, age := s.Stats()
		m.spoolSegs.Set(float64(n))
		m.spoolAge.Set(age.Seconds())
		m.quarRecs.Set(float64(s.QuarantinedRecords()))
	}
}

func (m *Metrics) drained(n int) {
	if m != nil {
		m.drainedRecs.Add(float64(n))
	}
}

func (m *Metrics) quarantined(n int) {
	if m != nil {
		m.quarTotal.Add(float64(n))
	}
}

func (m *Metrics) failing(n int) {
	if m != nil {
		m.failingSegs.Set(float64(n))
	}
}

func (m *Metrics) clickhouseError(op string) {
	if m != nil {
		m.chErrors.WithLabelValues(op).Inc()
	}
}
