// Package defaults holds podtui's default settings, in one place: the config
// file's defaults (config.Default, config/default.yaml) and the fallbacks of
// the ui and kube packages all read them from here.
package defaults

import "time"

const (
	// LogTail is how many lines a log view loads when it opens.
	LogTail = 1000
	// LogBufferLines and LogBufferBytes bound a log view's buffer: a chatty
	// container must never grow podtui without limit.
	LogBufferLines = 100_000
	LogBufferBytes = 64 << 20
	// TailMaxStreams caps the log streams a workload log view opens at
	// once, like stern's --max-log-requests.
	TailMaxStreams = 50
	// MetricsInterval is metrics-server's default resolution: polling
	// metrics.k8s.io faster only returns the same numbers.
	MetricsInterval = 15 * time.Second
)

// Shells are the commands a shell key tries, in order: bash when there is
// one, else sh. A function, so no caller can change another's copy.
func Shells() [][]string { return [][]string{{"bash"}, {"sh"}} }

// DebugImage is the image of a debug container and of the node shell when
// the config names none: small, with a shell and the usual tools.
const DebugImage = "busybox:1.37"

// DebugProfile is kubectl debug's default profile.
const DebugProfile = "general"

// DebugImages are offered in the debug form besides free text.
func DebugImages() []string {
	return []string{DebugImage, "nicolaka/netshoot:latest", "alpine:3.22", "ubuntu:24.04"}
}

// DebugProfiles are kubectl debug's profiles, in the order they are offered.
func DebugProfiles() []string {
	return []string{"general", "baseline", "restricted", "netadmin", "sysadmin"}
}
