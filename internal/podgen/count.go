package podgen

import (
	"os"
	"strconv"
)

// Count is how many pods a benchmark makes: PODTUI_BENCH_PODS when set to a
// positive number, else def.
func Count(def int) int {
	if n, err := strconv.Atoi(os.Getenv("PODTUI_BENCH_PODS")); err == nil && n > 0 {
		return n
	}
	return def
}
