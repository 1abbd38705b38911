# podtui: build, run and test. `make test` is the one command that runs every test.
GO ?= go

.PHONY: build run demo controlplane test vet unit e2e

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

# Every test: unit, golden, fuzz seeds, the harness and the end-to-end suite
# against a real kube-apiserver + etcd + kwok, all under the race detector.
test: controlplane vet
	$(GO) test -race -timeout 30m ./...

unit:
	$(GO) test -race $$($(GO) list ./... | grep -v -e /e2e -e /internal/harness)

e2e: controlplane
	$(GO) test -count=1 -v ./e2e/
