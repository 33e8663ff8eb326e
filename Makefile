# globaloffice — see README.md. Two commands on a fresh machine: make demo, make test.

GO            ?= go
BIN           := bin/globaloffice
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Everything local lives under var/ unless GLOBALOFFICE_HOME says otherwise.
export GLOBALOFFICE_HOME ?= $(CURDIR)/var

.PHONY: build clickhouse clickhouse-up test test-cluster test-faults test-fuzz lint bench demo demo-load serve clean

build:
	$(GO) build -o $(BIN) ./cmd/globaloffice

## clickhouse: install clickhouse-server if it is missing (Debian/Ubuntu packages)
clickhouse:
	./scripts/install-clickhouse.sh

## clickhouse-up: the local ClickHouse, started or reused
clickhouse-up: build clickhouse
	$(BIN) clickhouse start
	@# var/ holds ClickHouse's data, whose test databases come and go: a
	@# go.mod of its own keeps ./... from walking it (and failing on a
	@# folder removed meanwhile).
	@test -f var/go.mod || printf 'module globaloffice/var\n\ngo 1.26\n' > var/go.mod

## test: every test against a real local ClickHouse, with the race detector
test: clickhouse-up
	$(GO) test -race -count=1 -timeout 20m ./...

## test-cluster: the replicated-cluster tests alone (make test runs them
## too): ZooKeeper (Debian's jar, with java) and two ClickHouse replicas
## started by the tests on free loopback ports, in temporary folders; the
## local server gives the single-server schema they compare with
test-cluster: clickhouse-up
	$(GO) test -race -count=1 -timeout 10m ./store/chcluster

## test-faults: the fault tests (build tag faults), each on ClickHouse servers
## of its own on loopback, counting records end to end: ClickHouse SIGKILLed
## and restarted during multi-client ingest, the collector SIGKILLed with a
## spool, the spool full, ClickHouse slow, a period closed during ingest
test-faults: clickhouse-up
	$(GO) test -race -count=1 -tags faults -run '^TestFault' -timeout 10m ./ingest ./cmd/globaloffice/commands

## test-fuzz: each fuzz target of the decoders and the period/scope parsers
## for FUZZTIME (15s), one after the other; no ClickHouse needed
FUZZTIME ?= 15s
FUZZ := ingest:FuzzDecode ingest:FuzzFlatObjectMatchesEncodingJSON ingest:FuzzParseTimeFastMatchesSlow \
	ingest:FuzzMappingApply ingest:FuzzReadSites ingest:FuzzContactSpoolLine \
	indicators:FuzzParsePeriod indicators:FuzzReadTargetsScope indicators:FuzzParseCatalog
test-fuzz:
	@set -e; for t in $(FUZZ); do pkg=$${t%%:*}; fn=$${t#*:}; \
	  echo "fuzz $$fn ($$pkg, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) ./$$pkg; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@cp go.mod /tmp/globaloffice.go.mod.bak; cp go.sum /tmp/globaloffice.go.sum.bak; \
	$(GO) mod tidy; \
	if ! git diff --quiet -- go.mod go.sum; then echo "go mod tidy changes go.mod/go.sum"; git diff -- go.mod go.sum; \
	  cp /tmp/globaloffice.go.mod.bak go.mod; cp /tmp/globaloffice.go.sum.bak go.sum; exit 1; fi

## bench: Go benchmarks, then end-to-end ingest over HTTP against
## clickhouse-client's insert of the same records, the whole catalog over
## 10M contacts against hand-written SQL, and GET /results and /scorecard
## against a bare gin handler, each as a ratio in the same run
bench: clickhouse-up
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(BIN) bench ingest --records 1000000
	$(BIN) bench indicators --contacts 10000000
	$(BIN) bench api
	$(BIN) bench export --rows 1000000

## demo-load: ClickHouse installed and started, schema, 42 sample sites, a
## seeded year and more of contacts, cases and surveys written as files and
## ingested through the collectors (exit 2 = the deliberately invalid records
## were refused, the rest stored), demo targets, every finished quarter
## closed, and the results of the last one, nationally and by region.
demo-load: clickhouse-up
	$(BIN) migrate
	$(BIN) sites import demo/sites.csv
	$(BIN) demo generate
	@for k in contacts cases surveys; do \
	  echo "$(BIN) ingest $$k $(GLOBALOFFICE_HOME)/demo/$$k"; \
	  $(BIN) ingest $$k $(GLOBALOFFICE_HOME)/demo/$$k; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 2 ] || exit $$rc; \
	done
	$(BIN) status
	$(BIN) targets import demo/targets.csv --by demo
	$(BIN) demo close

## demo: demo-load, then a fresh director token and the URLs to try, then the
## server in the foreground (Ctrl-C stops it).
demo: demo-load
	$(BIN) demo welcome
	$(BIN) serve

## serve: the HTTP server (API, collectors, /metrics) on 127.0.0.1:8080, over the local ClickHouse
serve: clickhouse-up
	$(BIN) migrate
	$(BIN) serve

clean:
	-[ -x $(BIN) ] && $(BIN) clickhouse stop
	rm -rf bin var
