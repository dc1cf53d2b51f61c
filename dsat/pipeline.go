package dsat

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/dsatmine/dsatmine/conversation"
)

// The parallel run is a three-stage pipeline:
//
//	reader goroutine ──jobs──▶ N workers (Mine) ──done──▶ ordered writer (caller)
//
// The reader numbers every item it emits: a batch of conversations, then
// possibly the end of an input with its reader statistics or the reader
// error that ends the run. Batches keep the hand-offs between goroutines
// (and the wake-ups of idle processors) well below one per conversation.
// Workers mine batches in any order; the writer puts results back in sequence in a
// reorder buffer and hands them to a RunWriter, so deduplication, counting,
// sinks and progress see exactly the sequence of the one-goroutine loop and
// the output does not depend on the number of workers. A semaphore of
// `window` slots, taken by the reader before it emits an item and given back
// by the writer when it has written it, bounds the items in flight (and so
// the memory) whatever the input size; it also guarantees that every
// in-flight sequence number lies in [next, next+window), so the reorder
// buffer is a ring of window entries.

// windowPerWorker is the number of in-flight items per worker. A few per
// worker absorb the variance of conversation sizes without letting the
// reader run far ahead.
const windowPerWorker = 4

// A batch holds at most batchConvs conversations and is closed once its
// message text reaches batchBytes, so that the conversations in flight
// stay few and small: at most window × (batchBytes + one conversation).
const (
	batchConvs = 32
	batchBytes = 256 << 10
)

// job is one numbered item of the pipeline.
type job struct {
	seq   uint64
	convs []*conversation.Conversation // to mine, in input order
	res   []*Result                    // their results; shorter when Mine failed
	read  *conversation.ReadStats      // end of an input: its reader statistics
	err   error                        // a Mine error, or the reader error that ends the run
}

// workers returns the number of detector workers a run uses.
func (m *Miner) workers() int {
	if m.cfg.Workers > 0 {
		return m.cfg.Workers
	}
	return runtime.NumCPU()
}

// runParallel is Run with n > 1 detector workers.
func (m *Miner) runParallel(ctx context.Context, inputs []Input, out Sinks, n int) (*Stats, error) {
	st := m.NewStats()
	w := m.NewRunWriter(out, st)

	ctx, cancel := context.WithCancel(ctx)
	window := n * windowPerWorker
	slots := make(chan struct{}, window)
	jobs := make(chan *job, window)
	done := make(chan *job, window)

	var wg sync.WaitGroup
	// Stop every stage and wait for it on any return: no goroutine outlives Run.
	defer func() {
		cancel()
		wg.Wait()
	}()

	wg.Go(func() { m.readAll(ctx, inputs, slots, jobs) })
	var workers sync.WaitGroup
	for range n {
		workers.Go(func() { m.work(ctx, jobs, done) })
	}
	wg.Go(func() {
		workers.Wait()
		close(done)
	})

	ring := make([]*job, window)
	var next uint64
	for j := range done {
		ring[j.seq%uint64(window)] = j
		for {
			k := next % uint64(window)
			j := ring[k]
			if j == nil {
				break
			}
			ring[k] = nil
			next++
			if err := ctx.Err(); err != nil {
				// Cancelled: write nothing more, even what is already mined.
				return st, err
			}
			if err := writeJob(w, st, j); err != nil {
				return st, err
			}
			<-slots
		}
	}
	// The workers are gone. That is the normal end unless ctx was
	// cancelled from outside, in which case items may be missing.
	return st, ctx.Err()
}

// writeJob applies one item, in sequence, to the run's writer and
// statistics, in the order of the one-goroutine loop: the results, then the
// reader statistics, then the error.
func writeJob(w *RunWriter, st *Stats, j *job) error {
	for _, res := range j.res {
		if err := w.Write(res); err != nil {
			return err
		}
	}
	if len(j.res) < len(j.convs) { // Mine failed on the next conversation
		return j.err
	}
	if j.read != nil {
		st.AddRead(*j.read)
	}
	return j.err
}

// readAll is the reader stage: it reads every input in order and emits a
// numbered item per conversation, per end of input and for the error that
// ends the run.
func (m *Miner) readAll(ctx context.Context, inputs []Input, slots chan<- struct{}, jobs chan<- *job) {
	defer close(jobs)
	var seq uint64
	j, size := &job{}, 0
	emit := func() bool {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		j.seq = seq
		seq++
		jobs <- j // never blocks: jobs has as much room as there are slots
		j, size = &job{}, 0
		return true
	}
	for _, in := range inputs {
		for {
			c, err := in.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rs := in.Stats()
				j.read, j.err = &rs, err
				emit()
				return
			}
			j.convs = append(j.convs, c)
			for i := range c.Messages {
				size += len(c.Messages[i].Content)
			}
			if len(j.convs) == batchConvs || size >= batchBytes {
				if !emit() {
					return
				}
			}
		}
		rs := in.Stats()
		j.read = &rs
		if !emit() {
			return
		}
	}
}

// work is a detector worker: it mines the conversations it receives and
// passes every item on.
func (m *Miner) work(ctx context.Context, jobs <-chan *job, done chan<- *job) {
	for {
		var j *job
		var ok bool
		select {
		case j, ok = <-jobs:
			if !ok {
				return
			}
		case <-ctx.Done():
			return
		}
		j.res = make([]*Result, 0, len(j.convs))
		for _, c := range j.convs {
			res, err := m.Mine(ctx, c)
			if err != nil {
				j.err = err
				break
			}
			j.res = append(j.res, res)
		}
		done <- j // never blocks: done has room for every slot
	}
}

// RunShard mines one byte-range shard of a JSON Lines file (see
// conversation.SplitJSONL) like Run mines whole inputs. setup, if not nil,
// sets reader options (Format, Strict, limits) before the first record is
// read. The returned statistics merge with Stats.Merge; deduplication only
// spans the shard.
func (m *Miner) RunShard(ctx context.Context, sh conversation.Shard, setup func(*conversation.Reader), out Sinks) (*Stats, error) {
	r, err := conversation.OpenShard(sh)
	if err != nil {
		return m.NewStats(), err
	}
	if setup != nil {
		setup(r)
	}
	st, err := m.Run(ctx, []Input{r}, out)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return st, err
}
