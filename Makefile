# streamsql: the common tasks. `make test` is what CI runs.
GO       ?= go
BIN      ?= ./streamsql
PKGS     := ./...

.PHONY: build test test-race vet fmt fuzz demo bench clean

build:
	$(GO) build -o $(BIN) ./cmd/streamsql

test: vet
	$(GO) test -count=1 $(PKGS)
	$(GO) test -count=1 -race ./runtime/... ./state/...

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

# The founding CTR query over the recorded stream shipped in testdata/.
demo: build
	$(BIN) run queries/ctr_file.sql

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./runtime/...

clean:
	rm -f $(BIN)
