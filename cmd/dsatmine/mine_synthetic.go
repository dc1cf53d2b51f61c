package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/ultrafeedback"
)

// The synthetic setting of mine: UltraFeedback inputs become anchors and
// pairs through dsat.Synthesizer instead of the miner. mine routes here when
// --format is ultrafeedback, or when it is auto and every input's first
// record has "instruction" and "completions".

// synthFlags are mine's options for UltraFeedback inputs.
type synthFlags struct {
	rankBy    string
	rejected  string
	seed      uint64
	margin    float64
	noPairs   bool
	breakTies bool
}

func addSyntheticFlags(cmd *cobra.Command) *synthFlags {
	def := ultrafeedback.DefaultConfig()
	f := &synthFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.rankBy, "rank-by", string(def.RankBy),
		"UltraFeedback inputs: score that ranks completions: fine-grained (the mean of the aspect ratings), overall, instruction_following, truthfulness, honesty or helpfulness")
	fs.StringVar(&f.rejected, "rejected", string(def.Rejected),
		"UltraFeedback inputs: rejected completion: lowest (the lowest-rated) or random (one rated below the best, picked deterministically from --seed and the record id)")
	fs.Uint64Var(&f.seed, "seed", 0, "UltraFeedback inputs: seed of --rejected random")
	fs.Float64Var(&f.margin, "margin", def.Margin,
		"UltraFeedback inputs: minimum score gap between the best and the rejected completion for a chosen pair, in --rank-by units (overall 1-10, others 1-5)")
	fs.BoolVar(&f.noPairs, "no-pairs", !def.Pairs, "UltraFeedback inputs: never attach a chosen completion")
	fs.BoolVar(&f.breakTies, "break-ties", def.BreakTies,
		"UltraFeedback inputs: break a tied lowest or highest score by the other scores and record order instead of skipping the record or the pair")
	return f
}

// isUltraFeedbackFormat reports whether --format names the UltraFeedback layout.
func isUltraFeedbackFormat(format string) bool {
	f := strings.ToLower(strings.TrimSpace(format))
	return f == string(ultrafeedback.Format) || f == "ultra-feedback" || f == "ultra_feedback"
}

// synthetic reports whether a mine run over inputs takes the synthetic path:
// --format ultrafeedback, or auto-detection finding UltraFeedback in every
// input. Inputs that cannot be sniffed (standard input, unreadable files)
// count as chat logs, whose reader then reports any problem. Mixing both
// kinds in one run is an error.
func synthetic(format string, inputs []string) (bool, error) {
	if isUltraFeedbackFormat(format) {
		return true, nil
	}
	if f, err := conversation.ParseFormat(format); err != nil || f != conversation.FormatAuto {
		return false, nil
	}
	var uf, logs []string
	for _, p := range inputs {
		if ok, err := ultrafeedback.Detect(p); err == nil && ok {
			uf = append(uf, p)
		} else {
			logs = append(logs, p)
		}
	}
	if len(uf) > 0 && len(logs) > 0 {
		return false, fmt.Errorf("cannot mix UltraFeedback inputs (%s) and chat logs (%s) in one run",
			strings.Join(uf, ", "), strings.Join(logs, ", "))
	}
	return len(uf) > 0, nil
}

// mineOptions are the mine flags the synthetic path shares with mining.
type mineOptions struct {
	out, events, stats string
	export             export.Format
	tokens             *dsat.TokenBudget
	dedup, strict      bool
	keepRoles          bool
}

// run writes the anchors of the UltraFeedback inputs.
func (f *synthFlags) run(cmd *cobra.Command, paths []string, o mineOptions) error {
	rank, err := ultrafeedback.ParseRankBy(f.rankBy)
	if err != nil {
		return err
	}
	rejected, err := ultrafeedback.ParseRejectBy(f.rejected)
	if err != nil {
		return err
	}
	s, err := ultrafeedback.NewSynthesizer(ultrafeedback.Config{
		RankBy: rank, Rejected: rejected, Seed: f.seed, Pairs: !f.noPairs, Margin: f.margin, BreakTies: f.breakTies,
		Strict: o.strict, Tokens: o.tokens, Dedup: o.dedup,
	})
	if err != nil {
		return err
	}
	anchorsOut, err := createOutput(o.out, cmd.OutOrStdout())
	if err != nil {
		return err
	}
	defer anchorsOut.abort()
	var eventsOut *output
	if o.events != "" {
		// The synthetic setting has no events; the file is written empty
		// so that pipelines expecting it find it.
		if eventsOut, err = createOutput(o.events, cmd.OutOrStdout()); err != nil {
			return err
		}
		defer eventsOut.abort()
	}
	aw := export.NewAnchorWriter(anchorsOut, o.export)
	aw.KeepRoles = o.keepRoles
	sinks := dsat.Sinks{Anchors: aw}

	var (
		files   []*os.File // given to the readers as files so that Parquet is read in place
		ufs     []*ultrafeedback.Reader
		readers []ultrafeedback.Input
	)
	defer func() {
		for _, r := range ufs {
			r.Close()
		}
		for _, fh := range files {
			fh.Close()
		}
	}()
	for _, p := range paths {
		var r *ultrafeedback.Reader
		if p == "-" {
			r = ultrafeedback.NewReader(os.Stdin, "stdin")
		} else {
			fh, err := os.Open(p)
			if err != nil {
				return err
			}
			files = append(files, fh)
			r = ultrafeedback.NewReader(fh, p)
		}
		r.Strict = o.strict
		ufs = append(ufs, r)
		readers = append(readers, r)
	}
	var bar *synthProgress
	if fh, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(fh.Fd())) {
		bar = newSynthProgress(fh, files, ufs)
		sinks.Progress = bar.update
	}
	st, err := s.Run(cmd.Context(), readers, sinks)
	if bar != nil {
		_ = bar.bar.Finish()
	}
	if err != nil {
		return err
	}
	if err := anchorsOut.commit(); err != nil {
		return err
	}
	if eventsOut != nil {
		if err := eventsOut.commit(); err != nil {
			return err
		}
	}
	if o.stats != "" {
		if err := writeJSONFile(o.stats, cmd.OutOrStdout(), st); err != nil {
			return err
		}
	}
	fmt.Fprintln(cmd.ErrOrStderr(), syntheticSummary(st, rank, o.out))
	if st.Records == st.RecordsSkipped {
		return &nothingReadError{records: st.Records, skipped: st.ReadSkipped}
	}
	return nil
}

// syntheticSummary is the one-line report of a synthetic run.
func syntheticSummary(st *dsat.Stats, rank ultrafeedback.RankBy, out string) string {
	var none []string
	for _, r := range []string{ultrafeedback.SkipAllEqual, ultrafeedback.SkipTiedLowest, ultrafeedback.SkipTooFewRated, ultrafeedback.SkipNoCritique,
		dsat.SkipPromptTooLong, dsat.SkipTotalTooLong} {
		if n := st.Dropped[r]; n > 0 {
			none = append(none, fmt.Sprintf("%s %d", r, n))
		}
	}
	slices.Sort(none)
	detail := ""
	if len(none) > 0 {
		detail = ": " + strings.Join(none, ", ")
	}
	return fmt.Sprintf("synthesized %d anchors (%d with chosen, %d duplicates) from %d UltraFeedback records ranked by %s (%d skipped, %d without anchor%s) -> %s",
		st.Anchors, st.Pairs, st.Duplicates, st.Records, rank, st.RecordsSkipped, st.ConversationsNoSignal, detail, out)
}

// synthProgress drives a progress bar over the input bytes of a synthetic run.
type synthProgress struct {
	bar     *progressbar.ProgressBar
	files   []*os.File
	readers []*ultrafeedback.Reader
	start   time.Time
	last    time.Time
}

func newSynthProgress(w io.Writer, files []*os.File, readers []*ultrafeedback.Reader) *synthProgress {
	var total int64
	for _, fh := range files {
		if fi, err := fh.Stat(); err == nil {
			total += fi.Size()
		}
	}
	return &synthProgress{bar: newBar(w, total, "synthesizing"), files: files, readers: readers, start: time.Now()}
}

// update is the run's progress callback; it runs on the reading goroutine.
func (p *synthProgress) update(st *dsat.Stats) {
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	var done, records int64
	for _, fh := range p.files {
		if off, err := fh.Seek(0, io.SeekCurrent); err == nil {
			done += off
		}
	}
	for _, r := range p.readers {
		records += r.Stats().Records
	}
	secs := max(now.Sub(p.start).Seconds(), 1e-3)
	p.bar.Describe(fmt.Sprintf("%d records (%.0f/s), %d anchors", records, float64(records)/secs, st.Anchors))
	_ = p.bar.Set64(done)
}
