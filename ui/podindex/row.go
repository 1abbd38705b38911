// Package podindex keeps the pod list's rows sorted and filtered at 100,000
// pods: a radix sort on packed keys, a fuzzy filter that narrows as the query
// grows, and scans split over the CPUs. It knows nothing of drawing: a row
// carries its owner's cells (Row.Cells) and the widths of its column texts
// (Row.Widths), of which the index keeps the widest among the shown rows.
package podindex

import (
	"strings"
	"time"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// MaxColumns is how many columns a row may give widths for.
const MaxColumns = 16

// Row is a pod reduced to what the index sorts and filters by, plus the
// owner's cells. NewRow sets the pod's fields; they are not changed after,
// since the packed sort keys are made from them.
type Row[T any] struct {
	// What a filter pass (scan) reads of every row comes first, together,
	// so that it takes few cache lines per row.
	matchGen uint64
	match    bool // whether the row matches the filter numbered matchGen
	// Widths are the cells of each column's text, set by the owner; widths
	// above 255 are 255.
	Widths [MaxColumns]uint8
	uidKey uint64 // the UID's last bytes packed: most rows are told from the selection without reading the UID
	search string // lower-case text the filter matches against

	Namespace string
	Name      string
	Node      string
	UID       string
	Status    string
	Restarts  int
	Created   time.Time
	Health    diagnose.Health
	// Usage is set by the owner; after changing it on rows, call
	// Index.RowsChanged.
	Usage Usage
	Pod   *kube.PodSummary
	keys  rowKeys
	seen  uint64 // the index's snapshot number this row was last in

	Cells T
}

// NewRow is the row of a pod, with zero cells.
func NewRow[T any](p *kube.PodSummary) *Row[T] {
	c := &p.Columns
	return &Row[T]{
		UID:       string(p.UID),
		uidKey:    last8(string(p.UID)),
		Namespace: p.Namespace,
		Name:      p.Name,
		Node:      p.Node,
		Status:    c.Status,
		Restarts:  c.Restarts,
		Created:   p.CreationTimestamp.Time,
		Health:    c.Health,
		search:    beforeNUL(strings.ToLower(p.Name + " " + p.Namespace + " " + c.Status + " " + p.Node)),
		Pod:       p,
		keys:      packKeys(p.Namespace, p.Name, p.Node, c.Status),
	}
}

// rowKeys are a row's strings packed for sorting (see sortAll), computed
// once per row so that a sort does not read the strings, which lie all over
// the pod cache.
type rowKeys struct {
	ns, node, status uint64
	name             [3]uint64 // the first 24 bytes
	exact            uint8     // exactNS, exactName, exactNode, exactStatus
}

func packKeys(ns, name, node, status string) rowKeys {
	var k rowKeys
	var ok bool
	if k.ns, ok = prefix(ns, 8); ok {
		k.exact |= exactNS
	}
	k.name[0], _ = prefix(name, 8)
	if len(name) > 8 {
		k.name[1], _ = prefix(name[8:], 8)
	}
	if len(name) > 16 {
		k.name[2], _ = prefix(name[16:], 8)
	}
	if len(name) <= 24 && strings.IndexByte(name, 0) < 0 {
		k.exact |= exactName
	}
	if k.node, ok = prefix(node, 8); ok {
		k.exact |= exactNode
	}
	if k.status, ok = prefix(status, 7); ok {
		k.exact |= exactStatus
	}
	return k
}

// orderedInt maps an int64 to a uint64 of the same order.
func orderedInt(v int64) uint64 { return uint64(v) ^ (1 << 63) }

// prefix packs the first n (at most 8) bytes of s big-endian, so that
// packed values order as the strings do where they differ; whole says s
// fits.
func prefix(s string, n int) (v uint64, whole bool) {
	for i := range n {
		v <<= 8
		if i < len(s) {
			v |= uint64(s[i])
		}
	}
	// A NUL byte would pack like the padding.
	return v, len(s) <= n && strings.IndexByte(s, 0) < 0
}

// last8 packs the last 8 bytes of s (see prefix): the end of a UID is as
// random as its start, and generated UIDs often share their start.
func last8(s string) uint64 {
	v, _ := prefix(s[max(0, len(s)-8):], 8)
	return v
}
