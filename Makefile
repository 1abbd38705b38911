# podtui: build, run and test. `make test` is the one command that runs every test.
GO ?= go

.PHONY: build run demo controlplane test vet unit e2e lint release-check bench bench-100k fuzz

build:
	$(GO) build -o podtui .

run:
	$(GO) run .

demo:
	$(GO) run . demo

# The local control plane (etcd, kube-apiserver, kwok, metrics-server), built
# once from the Go module proxy into ~/.cache/podtui/controlplane (minutes the
# first time, seconds after), so that no test ever waits on a build.
controlplane:
	$(GO) run ./internal/harness/cmd/controlplane build

vet:
	$(GO) vet ./...

# Tools run through the Go toolchain at pinned versions: nothing is downloaded
# from outside the module proxy.
GOLANGCI_LINT = $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
GORELEASER = $(GO) run github.com/goreleaser/goreleaser/v2@v2.15.1

lint:
	$(GOLANGCI_LINT) run ./...

# Validates the release configuration and builds this platform's archive.
release-check:
	$(GORELEASER) check
	$(GORELEASER) build --snapshot --clean --single-target

# Every test: unit, golden, fuzz seeds, the harness and the end-to-end suite
# against a real kube-apiserver + etcd + kwok, all under the race detector.
test: controlplane vet
	$(GO) test -race -timeout 30m ./...

unit:
	$(GO) test -race $$($(GO) list ./... | grep -v -e /e2e -e /internal/harness)

# A short fuzz run of every fuzz target on top of its committed seeds
# (testdata/fuzz), FUZZTIME each: 9 targets, about 3 minutes at 20s.
FUZZTIME ?= 20s
FUZZ = $(GO) test -run '^$$' -fuzztime $(FUZZTIME) -fuzz
fuzz:
	$(FUZZ) '^FuzzSanitize$$' ./internal/termsafe
	$(FUZZ) '^FuzzLoad$$' ./diagnose/report
	$(FUZZ) '^FuzzLoadDescribe$$' ./diagnose/report
	$(FUZZ) '^FuzzFailedScheduling$$' ./diagnose
	$(FUZZ) '^FuzzEvictionMessage$$' ./diagnose
	$(FUZZ) '^FuzzFailedMount$$' ./diagnose
	$(FUZZ) '^FuzzContainerMessages$$' ./diagnose
	$(FUZZ) '^FuzzCrashLogs$$' ./diagnose
	$(FUZZ) '^FuzzParse$$' ./config

e2e: controlplane
	$(GO) test -count=1 -v ./e2e/

# Benchmarks (docs/performance.md): the pod cache, the pod list at 100k pods
# in process, logs, triage, and 10k pods on a real control plane of its own
# (50 kwok nodes). PODTUI_BENCH_PODS changes both pod counts.
bench: controlplane
	$(GO) test ./kube -run '^$$' -bench 'PodCache' -benchtime 1x
	$(GO) test ./kube -run '^$$' -bench 'Summarize'
	$(GO) test ./kube -run '^$$' -bench 'Snapshot' -benchtime 20x
	$(GO) test ./ui -run '^$$' -bench '^BenchmarkScale$$/load$$' -benchtime 3x
	$(GO) test ./ui -run '^$$' -bench '^BenchmarkScale$$/(frame|update|scroll|page|sort|reverse|filter)$$' -benchtime 200x
	$(GO) test ./ui/podindex -run '^$$' -bench 'Index' -benchtime 200x
	$(GO) test ./ui -run '^$$' -bench 'LogPipeline'
	$(GO) test ./ui -run '^$$' -bench 'WorkloadLogs' -benchtime 1x
	$(GO) test ./diagnose -run '^$$' -bench 'Triage'
	$(GO) test ./ui -run '^$$' -bench 'TriageScale' -benchtime 1x
	$(GO) test ./e2e -run '^$$' -bench 'Idle' -benchtime 1x
	$(GO) test ./e2e -run '^$$' -bench 'Startup|Scale' -benchtime 5x -timeout 30m

# 100,000 pods on the real API server (about 10 minutes, most of it making the pods).
bench-100k: controlplane
	PODTUI_BENCH_PODS=100000 $(GO) test ./e2e -run '^$$' -bench 'Scale$$' -benchtime 1x -timeout 90m
	$(GO) test ./e2e -run '^$$' -bench 'FaultRecovery' -benchtime 3x -timeout 10m
