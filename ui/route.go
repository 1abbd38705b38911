package ui

// How async results find their way back. A Cmd's result is a message that
// carries a Ticket: the ID of the page (or the app itself, appID) that asked
// and the number of the request. The app delivers such a message to that
// page wherever it is in the stack, on top or covered, and drops it when the
// page is gone; the page keeps the last number it asked with for each kind
// of request (asks) and drops answers to requests it has since replaced.
// That is the one staleness scheme: no message is checked by generation,
// pod UID or page pointer on its own.

// PageID names one page for as long as the app runs; the app gives each
// page its own when it opens it (PageEnv.ID).
type PageID uint64

// appID is the app's own address: the pod feed and the usage poll.
const appID PageID = 0

// Ticket says who asked for an async result and which request it answers.
type Ticket struct {
	To  PageID
	Seq uint64
}

// owner is how the app reads a message's address.
func (t Ticket) owner() PageID { return t.To }

// addressed is a message with a Ticket.
type addressed interface{ owner() PageID }

// asks numbers one kind of request of one page; only the answer to the
// latest counts.
type asks struct {
	to  PageID
	seq uint64
}

func newAsks(to PageID) asks { return asks{to: to} }

// next is the ticket of a new request; it replaces every earlier one.
func (a *asks) next() Ticket {
	a.seq++
	return Ticket{To: a.to, Seq: a.seq}
}

// current reports whether t answers the latest request.
func (a *asks) current(t Ticket) bool { return t.To == a.to && t.Seq == a.seq && a.seq != 0 }

// pageIDs hands out page IDs; the app owns one.
type pageIDs struct{ last PageID }

func (g *pageIDs) next() PageID {
	g.last++
	return g.last
}

// last is the ticket of the latest request (what a test replays).
func (a *asks) last() Ticket { return Ticket{To: a.to, Seq: a.seq} }
