package podindex

import "cmp"

// SortKey is a column the pod list can be sorted by.
type SortKey int

// Sort columns, in the order the sort key cycles through them.
const (
	SortName SortKey = iota
	SortStatus
	SortRestarts
	SortAge
	SortNode
	// Usage keys (metrics.k8s.io); skipped while the usage columns are hidden.
	SortCPU
	SortMem
	SortCPUReq
	SortCPULim
	SortMemReq
	SortMemLim
	SortKeyCount
)

func (k SortKey) String() string {
	return [...]string{"name", "status", "restarts", "age", "node", "cpu", "mem", "%cpu/r", "%cpu/l", "%mem/r", "%mem/l"}[k]
}

// IsUsage reports whether the key orders by usage numbers.
func (k SortKey) IsUsage() bool { return k >= SortCPU && k <= SortMemLim }

// Usage is what a usage sort orders a row by: the pod's latest sample and
// its percentages of requests and limits (%cpu/r, %cpu/l, %mem/r, %mem/l).
type Usage struct {
	Known bool  // there is a sample
	CPU   int64 // millicores
	Mem   int64 // bytes
	Pct   [4]int
	PctOK [4]bool // there is a request or limit to compare with
}

// value is the number a usage sort orders by, and whether it is known.
func (u *Usage) value(key SortKey) (int64, bool) {
	switch key {
	case SortCPU:
		return u.CPU, u.Known
	case SortMem:
		return u.Mem, u.Known
	default:
		i := int(key - SortCPUReq)
		return int64(u.Pct[i]), u.PctOK[i]
	}
}

// compareUsage orders by a usage sort key: highest first, rows without a
// number last.
func compareUsage(a, b *Usage, key SortKey) int {
	va, oka := a.value(key)
	vb, okb := b.value(key)
	if oka != okb {
		if oka {
			return -1
		}
		return 1
	}
	return cmp.Compare(vb, va)
}
