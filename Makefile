# streamsql: the common tasks. `make test` is what CI runs.
GO       ?= go
BIN      ?= ./streamsql
PKGS     := ./...

.PHONY: build test test-race test-crash vet fmt fuzz demo bench bench-kafka bench-micro clean

# A static binary: no cgo (so no libc to match on the machine it is
# copied to), paths trimmed, symbol tables and DWARF left out. The commit
# comes from Go's VCS stamping (streamsql --version).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -ldflags='-s -w' -o $(BIN) ./cmd/streamsql

# The short crash harness runs on its own, verbosely, so its figures (kills
# per checkpoint phase, rows lost and duplicated) show in the output. The
# race step gets 30 minutes a package: the race detector slows the golden
# suite at parallelism 1, 2 and 4 several times over, and a loaded 2-core
# machine took longer than go test's default 10 minutes (so did the golden
# suite without it, at a load of 20: it gets 30 minutes too).
test: vet
	$(GO) test -count=1 -timeout 30m -skip 'TestCrash' $(PKGS)
	$(GO) test -count=1 -v -run 'TestCrash' ./cmd/streamsql
	$(GO) test -count=1 -race -timeout 30m ./runtime/... ./state/...

# The long crash harness: a broker process, 200 000 generated ad events,
# queries/ctr.sql killed with SIGKILL at least 24 times per delivery
# guarantee (failpoints around snapshot, sync and transaction commit, and
# random moments), restarted until done; results read with read_committed
# must equal the crash-free answer (docs/checkpoints.md). `make test` runs
# a short variant.
test-crash:
	$(GO) test -count=1 -v -run 'TestCrash' ./cmd/streamsql -crash.long -timeout 20m

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

# A short fuzzing pass over the SQL front-end and the JSON decoder.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./sql/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 60s ./runtime/format/json/

# The founding pipeline live: in-memory dev broker, generator (2000
# events/s), queries/ctr.sql and a results table, in one process until
# Ctrl-C. DEMO_FLAGS='--rate 5000' passes flags (see streamsql demo --help).
demo: build
	$(BIN) demo $(DEMO_FLAGS)

# The CTR query over 10 million generated events (bench/data/, made on
# first use): engine vs the hand-written baseline, at GOMAXPROCS=1 and all
# cores, and the engine at parallelism 2 beside it; then the same query reading 5 million events preloaded into a
# topic of the development broker (its own process), bounded (about 1
# minute, 3 GiB in the broker). Prints the table and writes
# bench/results/*.json; see docs/performance.md. BENCH_FLAGS='-events
# 1000000 -runs 1 -kafka-events 1000000' for a quick run, -kafka-events 0
# skips the Kafka rows.
bench: build
	$(GO) build -o bin/baseline ./bench/baseline
	$(GO) run ./bench/cmd/bench -engine $(BIN) -baseline bin/baseline $(BENCH_FLAGS)

# The live Kafka runs: broker, generator at 50k, 100k, 200k and 400k
# events/s for 60 s each, queries/ctr.sql, results read back: whether the
# engine kept up and latency from window close to the result's Kafka
# timestamp (about 6 minutes, up to 10 GiB in the broker).
# BENCH_KAFKA_FLAGS='-kafka-rates 50000,200000 -kafka-duration 30s' for less.
bench-kafka: build
	$(GO) run ./bench/cmd/bench -engine $(BIN) -kafka-live $(BENCH_KAFKA_FLAGS)

# Micro-benchmarks of the hot operators (decode, expressions, windows).
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem ./runtime/...

clean:
	rm -f $(BIN)
