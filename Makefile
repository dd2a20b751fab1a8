# kramar — build, test and try the pipeline.
# Tests, the demo and the benchmark need ClickHouse: cmd/chlocal starts a
# throwaway server (or uses KRAMAR_CLICKHOUSE_DSN if set) around the command.

GO ?= go
# Go's tarball lives here on the project's machines and in CI.
export PATH := $(PATH):/usr/local/go/bin

CHLOCAL := $(GO) run ./cmd/chlocal --

.PHONY: build test demo cluster-demo bench vet fmt fmt-check clickhouse

build:
	$(GO) build -o bin/kramar ./cmd/kramar

test:
	$(CHLOCAL) $(GO) test -count=1 ./...

demo:
	$(CHLOCAL) $(GO) run ./cmd/kramar demo

# The demo on a local cluster (a ZooKeeper and one shard of two replicas),
# its orders loaded by three workers sharing the stores through ZooKeeper.
cluster-demo:
	$(GO) run ./cmd/chlocal --cluster 1x2 -- $(GO) run ./cmd/kramar demo --workers 3

# Orders: 100,000 Prom orders; catalog: 50,000 Rozetka offers; feed: a
# 1,000,000-offer YML (~1.7 GB in a temp dir) against Python's iterparse;
# workbook: a 1,000,000-row expenses workbook; stores: 1,000 stores polled
# as one scheduler cycle. Each in its own process, so each peak RSS is its own.
bench:
	$(GO) build -o bin/kramar ./cmd/kramar
	$(CHLOCAL) sh -c 'bin/kramar bench --orders 100000 && bin/kramar bench --catalog 50000 && bin/kramar bench --feed 1000000 && bin/kramar bench workbook --rows 1000000 && bin/kramar bench stores --stores 10000 --cycles 3'


vet:
	$(GO) vet ./...

fmt:
	$(GO) fmt ./...

# Lists unformatted files and fails if there are any.
fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# A local ClickHouse for poking around; prints its DSN, Ctrl-C stops it.
clickhouse:
	$(GO) run ./cmd/chlocal --keep
