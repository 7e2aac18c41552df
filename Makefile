# b2bgw — run `make help` for the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin/b2bgw
PKGS := ./...
FUZZTIME ?= 30s
BENCH_SIZE ?= 50MB
BENCH_DIR ?= /tmp/b2bgw-bench
# the hot paths: tokenizer, validator, document tree, mapping, translation
BENCH_PKGS ?= ./internal/x12/ ./internal/doctree/ ./internal/mapping/ ./internal/translate/

.DEFAULT_GOAL := help

.PHONY: help
help: ## show this help
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/b2bgw
	$(GO) build -o $(BIN) ./cmd/b2bgw

.PHONY: test
test: ## unit tests, fuzz seed corpora and go vet (what CI runs)
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 30s)
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

.PHONY: bench
bench: build ## go benchmarks (MB/s, allocs) and whole-process figures on the 50 MB files
	$(GO) test -run '^$$' -bench . -benchmem $(BENCH_PKGS)
	BENCH_SIZE=$(BENCH_SIZE) BENCH_DIR=$(BENCH_DIR) bash scripts/bench.sh
	bash scripts/bench-e2e.sh

.PHONY: demo
demo: build ## run the whole gateway on the sample partners and files, and show what it did
	$(BIN) demo $(DEMO_FLAGS)

.PHONY: clean
clean: ## remove build output
	rm -rf bin
