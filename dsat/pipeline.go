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
// The reader numbers every item it emits (a conversation, the end of an
// input with its reader statistics, or a reader error). Workers mine
// conversations in any order; the writer puts results back in sequence in a
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
const windowPerWorker = 8

// job is one numbered item of the pipeline.
type job struct {
	seq  uint64
	conv *conversation.Conversation // to mine; nil for markers
	read *conversation.ReadStats    // end of an input: its reader statistics
	res  *Result
	err  error // a reader error (ends the run) or a Mine error
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
			<-slots
			if err := writeJob(w, st, j); err != nil {
				return st, err
			}
		}
	}
	// The workers are gone. That is the normal end unless ctx was
	// cancelled from outside, in which case items may be missing.
	return st, ctx.Err()
}

// writeJob applies one item, in sequence, to the run's writer and statistics.
func writeJob(w *RunWriter, st *Stats, j *job) error {
	if j.read != nil {
		st.AddRead(*j.read)
	}
	if j.err != nil {
		return j.err
	}
	if j.res != nil {
		return w.Write(j.res)
	}
	return nil
}

// readAll is the reader stage: it reads every input in order and emits a
// numbered item per conversation, per end of input and for the error that
// ends the run.
func (m *Miner) readAll(ctx context.Context, inputs []Input, slots chan<- struct{}, jobs chan<- *job) {
	defer close(jobs)
	var seq uint64
	emit := func(j *job) bool {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		j.seq = seq
		seq++
		jobs <- j // never blocks: jobs has as much room as there are slots
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
				emit(&job{read: &rs, err: err})
				return
			}
			if !emit(&job{conv: c}) {
				return
			}
		}
		rs := in.Stats()
		if !emit(&job{read: &rs}) {
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
		if j.conv != nil {
			j.res, j.err = m.Mine(ctx, j.conv)
			j.conv = nil
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
