package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/internal/atomicfile"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

func init() {
	rootCmd.AddCommand(newMineCmd())
}

// policyFlags are the miner options shared by mine, eval and report
// (dsat.Policy).
type policyFlags struct{ dsat.Policy }

func (f *policyFlags) register(cmd *cobra.Command) {
	f.Policy = dsat.DefaultPolicy()
	p, fs := &f.Policy, cmd.Flags()
	fs.Var(thresholdFlag{p}, "threshold", `score threshold of the DSAT categories: a number for all ("0.6"), category=number pairs ("complaint=0.6,doubt=0.8"), or both ("0.5,complaint=0.7")`)
	fs.Float64Var(&p.SATThreshold, "sat-threshold", p.SATThreshold, "score at which a follow-up is SAT")
	fs.Float64Var(&p.MinScore, "min-score", p.MinScore, "global operating point: anchors scoring below it are not written")
	fs.BoolVar(&p.DoubtAnchors, "doubt-anchors", p.DoubtAnchors, "doubt-only events make anchors (scored × --doubt-weight)")
	fs.Float64Var(&p.DoubtWeight, "doubt-weight", p.DoubtWeight, "score factor of doubt-only anchors")
	fs.BoolVar(&p.PushbackAnchors, "pushback-anchors", p.PushbackAnchors, "pushback-only events make anchors (off: rejecting a correct refusal teaches a model to stop refusing)")
	fs.BoolVar(&p.CountExtensions, "count-extensions", p.CountExtensions, "count refinements that only extend a good answer")
	fs.Float64Var(&p.TargetPrecision, "target-precision", p.TargetPrecision, "let the classifier (the embedded model unless --classifier names one) decide at the lowest threshold whose measured precision, stored with the model (out of source when it has that table), is at least this (0 = off)")
	fs.IntVar(&p.MaxAnchorsPerConversation, "max-anchors-per-conversation", p.MaxAnchorsPerConversation, "keep at most N anchors per conversation, highest scores first (0 = unlimited)")
}

// thresholdFlag is --threshold: dsat.Policy.ParseThreshold's spec.
type thresholdFlag struct{ p *dsat.Policy }

func (t thresholdFlag) String() string {
	if t.p == nil {
		return ""
	}
	return t.p.ThresholdString()
}
func (t thresholdFlag) Set(s string) error { return t.p.ParseThreshold(s) }
func (t thresholdFlag) Type() string       { return "spec" }

// config returns the miner configuration the flags describe.
func (f *policyFlags) config(clf classifier.Classifier) dsat.Config {
	cfg := dsat.DefaultConfig()
	f.Apply(&cfg)
	cfg.Classifier = clf
	return cfg
}

func newMineCmd() *cobra.Command {
	var (
		read                           readFlags
		policy                         policyFlags
		out, events, stats, exportName string
		encoding                       string
		maxPromptTokens, maxTotalToks  int
		noDedup                        bool
		keepRoles, driftPairing        bool
		noDesirable                    bool
		workers                        int
		shard                          shardFlag
		resume                         string
		scoreFlags                     *scoringFlags
		synth                          *synthFlags
	)
	cmd := &cobra.Command{
		Use:   "mine INPUT... -o ANCHORS.jsonl",
		Short: "Find dissatisfied follow-ups and write preference-training anchors",
		Long: `mine reads chat logs (any supported format and container; "-" is standard
input; a directory stands for the chat-log files below it), finds follow-ups that express dissatisfaction with the reply before
them, and writes one anchor per DSAT event: the prompt up to the request the
reply answered, the rejected reply, the follow-up and, when a later reply to the
same need satisfied the user, a chosen reply. Anchors are deduplicated by
normalised prompt and reply. Outputs are written to a temporary file and
renamed into place when the run succeeds (a device or pipe such as /dev/null
is written in place); -o - writes anchors to standard output. A one-line summary goes to standard error, with a progress bar when
standard error is a terminal.

Synthetic setting: UltraFeedback inputs (records with "instruction" and rated
"completions"; --format ultrafeedback, or auto-detected from the first record
of every input) are not mined: each record gives one anchor whose rejected
reply is the lowest-rated completion (--rank-by) and whose feedback is its
critique, with the highest-rated completion as chosen when the gap reaches
--margin. Exports, token budgets, dedup, --strict and --stats apply; the
policy and judge flags do not, and --events is written empty.

--workers N mines with N goroutines; outputs are byte-identical for any N.
--shard I/N mines one part of the inputs, for runs split over N processes
that each write their own outputs: a byte range of every plain JSON Lines
input, and every Nth of the inputs that cannot be split.

--resume MANIFEST makes a long multi-input run restartable: each input is
mined on its own into part files that are recorded in MANIFEST once
complete; a rerun with the same inputs and settings skips the recorded
inputs and writes the same output as an uninterrupted run.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("missing -o ANCHORS.jsonl (use -o - for standard output)")
			}
			tuneGC()
			format, err := export.ParseFormat(exportName)
			if err != nil {
				return err
			}
			args, skippedFiles, err := expandInputs(args)
			if err != nil {
				return err
			}
			reportSkippedFiles(cmd.ErrOrStderr(), skippedFiles)
			// Synthetic setting: UltraFeedback inputs (mine_synthetic.go).
			if ok, err := synthetic(read.format, args); err != nil {
				return err
			} else if ok {
				if shard.n > 0 {
					return errors.New("--shard does not apply to UltraFeedback inputs")
				}
				var tokens *dsat.TokenBudget
				if maxPromptTokens > 0 || maxTotalToks > 0 {
					tokens = &dsat.TokenBudget{Encoding: encoding, MaxPromptTokens: maxPromptTokens, MaxTotalTokens: maxTotalToks}
				}
				return synth.run(cmd, args, mineOptions{out: out, events: events, stats: stats, export: format,
					tokens: tokens, dedup: !noDedup, strict: read.strict, keepRoles: keepRoles})
			}
			inFormat, _, err := parseInputFormat(read.format)
			if err != nil {
				return err
			}
			sc, err := scoreFlags.build()
			if err != nil {
				return err
			}
			cfg := policy.config(nil)
			sc.apply(&cfg)
			cfg.Dedup = !noDedup
			cfg.Workers = workers
			cfg.DRIFTPairing = driftPairing
			cfg.Desirable = format == export.FormatKTO && !noDesirable
			if maxPromptTokens > 0 || maxTotalToks > 0 {
				cfg.Tokens = &dsat.TokenBudget{Encoding: encoding, MaxPromptTokens: maxPromptTokens, MaxTotalTokens: maxTotalToks}
			}
			m, err := dsat.NewMiner(cfg)
			if err != nil {
				return err
			}

			anchorsOut, err := createOutput(out, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			defer anchorsOut.abort()
			aw := export.NewAnchorWriter(anchorsOut, format)
			aw.KeepRoles = keepRoles
			sinks := dsat.Sinks{Anchors: aw}
			var eventsOut *output
			if events != "" {
				if eventsOut, err = createOutput(events, cmd.OutOrStdout()); err != nil {
					return err
				}
				defer eventsOut.abort()
				sinks.Events = export.NewEventWriter(eventsOut)
			}

			if resume != "" {
				if shard.n > 0 {
					return errors.New("--resume cannot be combined with --shard")
				}
				st, err := mineResumable(cmd, m, args, resume, inFormat, read.strict, sinks)
				if err != nil {
					return err
				}
				sc.annotate(st)
				return nothingMined(st, commitMine(cmd, st, anchorsOut, eventsOut, stats, out))
			}
			open := openInputs
			if shard.n > 0 {
				open = func(paths []string, f conversation.Format, strict bool) ([]*input, func(), error) {
					return openShardInputs(paths, shard, f, strict)
				}
			}
			inputs, closeInputs, err := open(args, inFormat, read.strict)
			if err != nil {
				return err
			}
			defer closeInputs()
			var bar *progress
			if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				bar = newProgress(f, inputs)
				sinks.Progress = bar.update
			}
			readers := make([]dsat.Input, len(inputs))
			for i, in := range inputs {
				readers[i] = in.r
			}
			st, runErr := m.Run(cmd.Context(), readers, sinks)
			sc.annotate(st)
			if bar != nil {
				bar.finish()
			}
			if runErr != nil {
				return runErr
			}
			return nothingMined(st, commitMine(cmd, st, anchorsOut, eventsOut, stats, out))
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&out, "output", "o", "", "anchors output file (JSON Lines; - for standard output)")
	fs.StringVar(&events, "events", "", "also write every DSAT and SAT event to this JSON Lines file")
	fs.StringVar(&stats, "stats", "", "write run statistics as JSON to this file")
	fs.StringVar(&exportName, "export", string(export.FormatDRIFT), "anchor layout: drift, trl, kto, openrlhf, llamafactory (pairwise layouts keep only anchors with a chosen reply)")
	fs.IntVar(&maxPromptTokens, "max-prompt-tokens", 0, "left-truncate prompt history to this many tokens; skip anchors that still do not fit (0 = no limit)")
	fs.IntVar(&maxTotalToks, "max-total-tokens", 0, "limit prompt plus reply tokens (0 = no limit)")
	fs.StringVar(&encoding, "encoding", dsat.EncodingCL100k, "token encoding for the budgets: cl100k_base or o200k_base")
	fs.BoolVar(&noDedup, "no-dedup", false, "keep anchors whose normalised prompt and reply repeat")
	fs.BoolVar(&keepRoles, "keep-roles", false, "trl, openrlhf, kto and llamafactory exports: write message lists as logged instead of role-normalised (one leading system message, no leading assistant message, no two consecutive user or assistant messages)")
	fs.BoolVar(&driftPairing, "drift-pairing", false, "attach as chosen the first satisfied reply after any chain of DSAT follow-ups, as DRIFT's seed pairs do (default: only a reply that answers the prompt as given: the follow-ups restated, re-asked or refined the request without adding facts)")
	fs.BoolVar(&noDesirable, "no-desirable", false, "kto export: leave out the label-true rows of SAT-confirmed replies")
	fs.IntVar(&workers, "workers", runtime.NumCPU(), "goroutines that mine conversations; the output is the same for any number")
	fs.StringVar(&resume, "resume", "", "resume manifest: inputs completed by an earlier run with the same settings (path, size, mtime and configuration recorded in MANIFEST) are not read again; their results are kept beside it in MANIFEST.parts/")
	fs.Var(&shard, "shard", "mine only shard I (0-based) of N for multi-process runs: a byte range of every JSON Lines input, whole inputs otherwise; dedup and statistics are per shard")
	read.register(cmd)
	policy.register(cmd)
	scoreFlags = addScoringFlags(cmd)
	synth = addSyntheticFlags(cmd)
	return cmd
}

// summary is the one-line report of a run.
func summary(st *dsat.Stats, out string) string {
	s := fmt.Sprintf("mined %d conversations from %d records (%d skipped): %d follow-ups, %d DSAT and %d SAT events, %d anchors (%d with chosen, %d duplicates) -> %s",
		st.Conversations, st.Records, st.RecordsSkipped, st.FollowUps, st.DSATEvents, st.SATEvents, st.Anchors, st.Pairs, st.Duplicates, out)
	if c := st.Classifier; c != nil && c.Judge != "" && st.FollowUps > 0 {
		s += fmt.Sprintf("; judge: %.1f calls per 1,000 follow-ups (%d sent, %d failed)",
			1000*float64(c.Judged)/float64(st.FollowUps), c.Judged, sum(c.JudgeErrors))
	}
	return s
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// input is one opened input file.
type input struct {
	name string
	f    *os.File // nil for standard input
	size int64
	r    *conversation.Reader
}

// openInputs opens every input. The files are given to the readers as
// *os.File so that Parquet is read in place; the returned function closes
// readers and files.
func openInputs(paths []string, format conversation.Format, strict bool) ([]*input, func(), error) {
	var ins []*input
	closeAll := func() {
		for _, in := range ins {
			in.r.Close()
			if in.f != nil {
				in.f.Close()
			}
		}
	}
	for _, p := range paths {
		in := &input{name: p}
		if p == "-" {
			in.r = conversation.NewReader(os.Stdin, "stdin")
		} else {
			f, err := os.Open(p)
			if err != nil {
				closeAll()
				return nil, func() {}, err
			}
			in.f = f
			if fi, err := f.Stat(); err == nil {
				in.size = fi.Size()
			}
			in.r = conversation.NewReader(f, p)
		}
		in.r.Format = format
		in.r.Strict = strict
		ins = append(ins, in)
	}
	return ins, closeAll, nil
}

// progress drives a progress bar over the input bytes.
type progress struct {
	bar    *progressbar.ProgressBar
	inputs []*input
	start  time.Time
	last   time.Time
}

func newProgress(w io.Writer, inputs []*input) *progress {
	var total int64
	for _, in := range inputs {
		total += in.size
	}
	return &progress{bar: newBar(w, total, "mining"), inputs: inputs, start: time.Now()}
}

// newBar returns the byte progress bar of mine's runs over total input
// bytes (0: unknown).
func newBar(w io.Writer, total int64, description string) *progressbar.ProgressBar {
	if total == 0 {
		total = -1
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription(description),
	)
}

// update is the run's progress callback.
func (p *progress) update(st *dsat.Stats) {
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	var done int64
	for _, in := range p.inputs {
		if in.f == nil {
			continue
		}
		if off, err := in.f.Seek(0, io.SeekCurrent); err == nil {
			done += min(off, in.size)
		}
	}
	// The readers run on their own goroutine: count what was written.
	secs := max(now.Sub(p.start).Seconds(), 1e-3)
	p.bar.Describe(fmt.Sprintf("%d conversations (%.0f/s), %d anchors", st.Conversations, float64(st.Conversations)/secs, st.Anchors))
	_ = p.bar.Set64(done)
}

func (p *progress) finish() { _ = p.bar.Finish() }

// output is a buffered file written atomically (internal/atomicfile: a
// temporary name in the final directory, synced and renamed into place by
// commit), or standard output for "-".
type output struct {
	*bufio.Writer
	path string
	file *atomicfile.File
	done bool
}

func createOutput(path string, stdout io.Writer) (*output, error) {
	if path == "-" {
		return &output{Writer: bufio.NewWriterSize(stdout, 1<<16), path: path}, nil
	}
	// Like the README's "-o out/anchors.jsonl" on a fresh clone: make the
	// directory the user named.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, err
	}
	return &output{Writer: bufio.NewWriterSize(f, 1<<16), path: path, file: f}, nil
}

// commit flushes the output and publishes it under its final name.
func (o *output) commit() error {
	if o.done {
		return nil
	}
	o.done = true
	if err := o.Flush(); err != nil {
		if o.file != nil {
			o.file.Abort()
		}
		return err
	}
	if o.file == nil {
		return nil
	}
	return o.file.Commit()
}

// abort discards an uncommitted output.
func (o *output) abort() {
	if o.done {
		return
	}
	o.done = true
	if o.file != nil {
		o.file.Abort()
	}
}

// writeJSONFile writes v as indented JSON to path via a temporary file.
func writeJSONFile(path string, stdout io.Writer, v any) error {
	b, err := jsonx.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	o, err := createOutput(path, stdout)
	if err != nil {
		return err
	}
	defer o.abort()
	if _, err := o.Write(append(b, '\n')); err != nil {
		return err
	}
	return o.commit()
}
