package dsat

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/conversation"
)

// Input is a stream of conversations with reader statistics.
// *conversation.Reader implements it.
type Input interface {
	// Next returns the next conversation, or io.EOF at the end.
	Next(ctx context.Context) (*conversation.Conversation, error)
	// Stats returns the reader's counts so far.
	Stats() conversation.ReadStats
}

// Sinks receive a run's output. Nil fields are ignored.
type Sinks struct {
	// Events receives every DSAT and SAT event.
	Events EventSink
	// Anchors receives the deduplicated anchors. A sink may return
	// ErrNotExported to decline an anchor; Run counts it in Stats.Dropped under SkipNoChosen.
	Anchors AnchorSink
	// Progress is called after every conversation with the running
	// statistics, which it must not modify or retain.
	Progress func(*Stats)
}

// Run mines every conversation of inputs in order and writes events and
// anchors to out. It deduplicates anchors across the whole run when
// Config.Dedup is set and returns the run's statistics, also when it stops
// on an error (a strict reader's *conversation.ParseError, a sink error or
// ctx's error); those then count every conversation written before the
// error, and the reader counts of the inputs read to their end or to the
// reader's error.
//
// Run mines with Config.Workers goroutines (runtime.NumCPU() when 0) while
// one goroutine reads the inputs and the calling goroutine deduplicates,
// counts and writes in input order: the output, the statistics and the
// error returned are the same for any number of workers. The sinks and the
// Progress callback are only called from the calling goroutine. Memory is
// bounded by a few conversations per worker, whatever the input size. With
// one worker Run mines on the calling goroutine. On return, whatever the
// outcome, every goroutine Run started has finished.
func (m *Miner) Run(ctx context.Context, inputs []Input, out Sinks) (*Stats, error) {
	if n := m.workers(); n > 1 {
		return m.runParallel(ctx, inputs, out, n)
	}
	st := m.NewStats()
	w := m.NewRunWriter(out, st)
	for _, in := range inputs {
		if err := m.runInput(ctx, in, w, st); err != nil {
			return st, err
		}
	}
	return st, nil
}

// runInput mines one input on the calling goroutine. The input's reader
// counts are added when it ends or fails, as the parallel pipeline does.
func (m *Miner) runInput(ctx context.Context, in Input, w *RunWriter, st *Stats) error {
	for {
		c, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			st.AddRead(in.Stats())
			return nil
		}
		if err != nil {
			st.AddRead(in.Stats())
			return err
		}
		res, err := m.Mine(ctx, c)
		if err != nil {
			return err
		}
		if err := w.Write(res); err != nil {
			return err
		}
	}
}

// RunWriter is the ordered, sequential half of a run: it deduplicates,
// counts and writes Results in the order it receives them. Run uses one; a
// parallel pipeline feeds one from its workers, in input order.
type RunWriter struct {
	dedup bool
	seen  map[[16]byte]struct{}
	out   Sinks
	st    *Stats
}

// NewRunWriter returns a RunWriter that writes to out and counts into st.
func (m *Miner) NewRunWriter(out Sinks, st *Stats) *RunWriter {
	st.init()
	return &RunWriter{dedup: m.cfg.Dedup, seen: map[[16]byte]struct{}{}, out: out, st: st}
}

// Write counts res and writes its events and new anchors.
func (w *RunWriter) Write(res *Result) error {
	w.st.AddResult(res)
	if w.out.Events != nil {
		for i := range res.Events {
			if err := w.out.Events.WriteEvent(&res.Events[i]); err != nil {
				return err
			}
		}
	}
	for i := range res.Anchors {
		if err := w.writeAnchor(&res.Anchors[i]); err != nil {
			return err
		}
	}
	if err := writeDesirable(w.out.Anchors, res.Desirable, w.dedup, w.seen, w.st); err != nil {
		return err
	}
	syncExport(w.out.Anchors, w.st)
	if w.out.Progress != nil {
		w.out.Progress(w.st)
	}
	return nil
}

// writeAnchor deduplicates, writes and counts one anchor.
func (w *RunWriter) writeAnchor(a *Anchor) error {
	if w.dedup {
		k := DedupKey(a)
		if _, dup := w.seen[k]; dup {
			w.st.Duplicates++
			return nil
		}
		w.seen[k] = struct{}{}
	}
	if w.out.Anchors != nil {
		err := w.out.Anchors.WriteAnchor(a)
		if errors.Is(err, ErrNotExported) {
			w.st.Dropped[SkipNoChosen]++
			return nil
		}
		if err != nil {
			return err
		}
	}
	w.st.Anchors++
	if len(a.Chosen) > 0 {
		w.st.Pairs++
	}
	return nil
}

// WriteAnchor deduplicates, writes and counts one anchor mined earlier (a
// resumable run's part file), without counting its conversation again: a
// desirable record (Anchor.Desirable) goes to a DesirableSink, any other
// anchor as Write writes the anchors of a Result.
func (w *RunWriter) WriteAnchor(a *Anchor) error {
	if a.Desirable {
		return writeDesirable(w.out.Anchors, []Anchor{*a}, w.dedup, w.seen, w.st)
	}
	return w.writeAnchor(a)
}

// Sync copies the anchor sink's export counts into the statistics and
// reports progress, as Write does after each Result.
func (w *RunWriter) Sync() {
	syncExport(w.out.Anchors, w.st)
	if w.out.Progress != nil {
		w.out.Progress(w.st)
	}
}

// WithoutDedup returns a copy of m that does not deduplicate anchors, for
// output that is deduplicated later, when it is merged.
func (m *Miner) WithoutDedup() *Miner {
	pm := *m
	pm.cfg.Dedup = false
	return &pm
}

// DesirableSink is implemented by anchor sinks that write SAT-confirmed
// replies (Result.Desirable). AnchorWriter does, for the kto layout.
type DesirableSink interface {
	WriteDesirable(*Anchor) error
}

// writeDesirable writes the desirable records to sink when it takes them,
// deduplicated by prompt and reply.
func writeDesirable(sink AnchorSink, recs []Anchor, dedup bool, seen map[[16]byte]struct{}, st *Stats) error {
	ds, ok := sink.(DesirableSink)
	if !ok {
		return nil
	}
	for i := range recs {
		a := &recs[i]
		if dedup {
			k := DedupKey(&Anchor{Prompt: a.Prompt, Rejected: a.Chosen})
			k[0] ^= 0xff // apart from the anchors' keys
			if _, dup := seen[k]; dup {
				st.Duplicates++
				continue
			}
			seen[k] = struct{}{}
		}
		if err := ds.WriteDesirable(a); err != nil && !errors.Is(err, ErrNotExported) {
			return err
		}
	}
	return nil
}

// syncExport copies the export counts of sink into st.
func syncExport(sink AnchorSink, st *Stats) {
	es, ok := sink.(interface{ ExportStats() ExportStats })
	if !ok {
		return
	}
	c := es.ExportStats()
	if c.Format == "drift" {
		return
	}
	st.Export = &c
}

// DedupKey returns the dedup key of an anchor: a hash of its prompt and
// rejected reply, each lowercased with runs of white space collapsed.
func DedupKey(a *Anchor) [16]byte {
	h := sha256.New()
	bp := dedupBufs.Get().(*[]byte)
	buf := *bp
	for _, msg := range a.Prompt {
		buf = append(buf[:0], msg.Role...)
		buf = append(buf, 0)
		buf = appendNormalized(buf, msg.Content)
		buf = append(buf, 0)
		h.Write(buf)
	}
	h.Write([]byte{1})
	for _, msg := range a.Rejected {
		buf = appendNormalized(buf[:0], msg.Content)
		buf = append(buf, 0)
		h.Write(buf)
	}
	*bp = buf
	dedupBufs.Put(bp)
	var k [16]byte
	copy(k[:], h.Sum(nil))
	return k
}

var dedupBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// appendNormalized appends s lowercased, with white space runs collapsed to
// one space and trimmed. Invalid UTF-8 bytes become U+FFFD.
func appendNormalized(b []byte, s string) []byte {
	space := false
	wrote := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace(c) {
				space = true
				i++
				continue
			}
			if space && wrote {
				b = append(b, ' ')
			}
			space = false
			wrote = true
			// Copy the whole run of ASCII non-space bytes, then lowercase it.
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && !asciiSpace(s[j]) {
				j++
			}
			at := len(b)
			b = append(b, s[i:j]...)
			for k := at; k < len(b); k++ {
				if c := b[k]; 'A' <= c && c <= 'Z' {
					b[k] = c + 'a' - 'A'
				}
			}
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && wrote {
			b = append(b, ' ')
		}
		space = false
		wrote = true
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	return b
}

func asciiSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}
