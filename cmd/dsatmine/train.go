package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

func init() {
	rootCmd.AddCommand(newTrainCmd())
}

type trainFlags struct {
	output      string
	folds       int
	seed        uint64
	weak        []string
	weakMin     float64
	weakWeight  float64
	weakMaxNeg  int
	noHeuristic bool
	asJSON      bool
	hashBits    int
	epochs      int
	veto        float64
	opSets      []string
	format      string
	calFolds    int
	decision    string
	target      float64
	combinedAt  float64
	loso        bool
	bySource    bool
	curve       []float64
	structure   int
}

func newTrainCmd() *cobra.Command {
	var f trainFlags
	cmd := &cobra.Command{
		Use:   "train LABELLED.jsonl... -o model.json",
		Short: "Train the in-process classifier on labelled conversations",
		Long: `Train reads labelled conversations (JSON Lines, one conversation with its
"labels" per line), prints k-fold cross-validation figures (folds split by
conversation, so no conversation is scored by a model trained on it), then
trains on everything and writes the model. Heuristic signals from the
built-in engine are used as features unless --no-heuristic-features is given.

--weak adds turns from unlabelled logs (any supported format) where the
heuristics are confident, with a lower example weight; they are trained on
but never scored.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrain(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the trained model to this file (required)")
	fl.IntVar(&f.folds, "folds", 5, "cross-validation folds (0 skips cross-validation)")
	fl.Uint64Var(&f.seed, "seed", 1, "seed for fold assignment and example order")
	fl.StringSliceVar(&f.weak, "weak", nil, "unlabelled log files to draw weakly-labelled turns from")
	fl.Float64Var(&f.weakMin, "weak-min-score", 0.9, "heuristic score a turn needs to become a weak example")
	fl.Float64Var(&f.weakWeight, "weak-weight", 0.3, "example weight of weak examples")
	fl.IntVar(&f.weakMaxNeg, "weak-max-negatives", -1, "cap on weak negatives (-1: as many as weak positives)")
	fl.StringVar(&f.format, "weak-format", "auto", "format of the --weak logs")
	fl.BoolVar(&f.noHeuristic, "no-heuristic-features", false, "do not use heuristic signals as features")
	fl.BoolVar(&f.asJSON, "json", false, "print the cross-validation report as JSON")
	fl.IntVar(&f.hashBits, "hash-bits", 16, "log2 of the number of feature hash buckets")
	fl.IntVar(&f.epochs, "epochs", 0, "training epochs (0: default)")
	fl.StringSliceVar(&f.opSets, "operating-sets", nil, "base names of the labelled files whose pooled cross-validated figures choose the stored operating point (default: all files)")
	fl.Float64Var(&f.veto, "veto", 0, "classifier DSAT probability below which the miner lowers heuristic scores; stored in the model and used for the combined figures (0: 0.2; negative: no veto)")
	fl.IntVar(&f.calFolds, "calibration-folds", 5, "folds of the out-of-fold Platt scaling that calibrates the DSAT probability (0: none)")
	fl.StringVar(&f.decision, "decision", classifier.DecisionModel, `how the miner decides with the model: "model" (the calibrated probability decides; heuristic signals are its features) or "combined" (the heuristic verdict, raised and vetoed by the model)`)
	fl.Float64Var(&f.combinedAt, "combined-threshold", 0, "with --decision combined: store this classifier threshold as the model's operating point instead of the best out-of-fold point (chosen from leave-one-source-out figures; see classifier/models/README.md)")
	fl.Float64Var(&f.target, "target-precision", classifier.DefaultTargetPrecision, "with --decision model: the stored operating point is the lowest threshold whose measured precision on the real (non-aid) sets reaches this (out of source with --table-by-source)")
	fl.BoolVar(&f.loso, "leave-source-out", true, "print leave-one-source-out figures: train on every real source but one, score that one (sources from each record's \"source\"; sets whose source starts with \"dsatmine\" are training aids, never held out)")
	fl.BoolVar(&f.bySource, "table-by-source", true, "also store an out-of-source operating table, which --target-precision reads: each real source with 50 or more turns scored by a model trained without it (false: --target-precision reads the out-of-fold table by conversation, which overstates the precision a new source gets)")
	fl.Float64SliceVar(&f.curve, "learning-curve", nil, "with --leave-source-out: also train on these fractions of the other sources' real conversations, e.g. 0.25,0.5,0.75,1")
	fl.IntVar(&f.structure, "structure", 1, "structural feature set (0: none, as models before it; 1: cue position, pasted material, deictic openings, next-reply revision)")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

func runTrain(ctx context.Context, stdout, stderr io.Writer, inputs []string, f trainFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if f.folds == 1 || f.folds < 0 {
		return fmt.Errorf("--folds must be 0 or at least 2, got %d", f.folds)
	}
	var sig classifier.SignalFunc
	var eng *heuristics.Engine
	if !f.noHeuristic {
		eng = heuristics.Default()
		sig = func(t *heuristics.Turn) []heuristics.Signal { return eng.Analyze(t).Signals }
	}
	var examples []classifier.Example
	for _, in := range inputs {
		ex, err := readLabelledFile(ctx, in, sig)
		if err != nil {
			return err
		}
		examples = append(examples, ex...)
	}
	labelled := len(examples)
	if len(f.weak) > 0 {
		weak, err := weakExamples(ctx, f, eng)
		if err != nil {
			return err
		}
		examples = append(examples, weak...)
		fmt.Fprintf(stderr, "train: %d labelled turns, %d weak turns from %d log file(s)\n", labelled, len(weak), len(f.weak))
	}
	if f.decision == "" {
		f.decision = classifier.DecisionModel
	}
	if f.target == 0 {
		f.target = classifier.DefaultTargetPrecision
	}
	switch f.decision {
	case classifier.DecisionModel, classifier.DecisionCombined:
	default:
		return fmt.Errorf("--decision %q: want %q or %q", f.decision, classifier.DecisionModel, classifier.DecisionCombined)
	}
	if f.combinedAt < 0 || f.combinedAt >= 1 || (f.combinedAt > 0 && f.decision != classifier.DecisionCombined) {
		return fmt.Errorf("--combined-threshold %v: want a value in (0,1) with --decision combined", f.combinedAt)
	}
	if f.target <= 0 || f.target >= 1 {
		return fmt.Errorf("--target-precision %v: want a value in (0,1)", f.target)
	}
	features := classifier.DefaultFeatureConfig()
	features.HashBits = f.hashBits
	features.Structure = f.structure
	opts := classifier.TrainOptions{
		CalibrationFolds:    f.calFolds,
		Features:            features,
		NoHeuristicFeatures: f.noHeuristic,
		Seed:                f.seed,
		Epochs:              f.epochs,
		Veto:                f.veto,
		OperatingSets:       f.opSets,
		TableBySource:       f.bySource,
		Data:                dataNote(inputs, f.weak),
	}
	var rep *classifier.CVReport
	if f.folds > 0 {
		r, err := classifier.CrossValidate(ctx, examples, f.folds, opts)
		if err != nil {
			return err
		}
		rep = &r
		if f.asJSON {
			b, err := jsonx.MarshalIndent(r, "", "  ")
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
				return err
			}
		} else if err := printCVReport(stdout, &r); err != nil {
			return err
		}
	}
	if f.loso {
		lo, err := classifier.LeaveSourceOut(ctx, examples, opts, classifier.LOSOOptions{
			TargetPrecision: f.target, Targets: []float64{0.70, 0.80, 0.90}, Curve: f.curve,
		})
		if err != nil {
			fmt.Fprintf(stderr, "train: leave-one-source-out skipped: %v\n", err)
		} else if err := printLOSO(stdout, &lo); err != nil {
			return err
		}
	}
	m, err := classifier.Train(ctx, examples, opts)
	if err != nil {
		return err
	}
	m.SetDecision(f.decision)
	// The stored operating point is what the miner uses by default: the
	// classifier threshold at which the combined decision (heuristics plus
	// classifier) was best with precision >= MinPrecision out of fold on the
	// operating sets, else the classifier's own best such point.
	if rep != nil {
		m.SetOperatingTable(rep.Table)
		m.SetSourceTable(rep.SourceTable)
		if rep.SourceTable != nil {
			fmt.Fprintln(stderr, "train: --target-precision reads an out-of-source table (each real source scored by a model trained without it)")
		} else {
			fmt.Fprintln(stderr, "train: --target-precision reads the out-of-fold table (fewer than two real sources of 50 turns, or --table-by-source=false)")
		}
		switch {
		case f.decision == classifier.DecisionModel:
			op, err := m.ThresholdFor(f.target)
			if err != nil {
				return fmt.Errorf("--target-precision %.2f: %w", f.target, err)
			}
			m.SetThreshold("dsat", op.Threshold)
			fmt.Fprintf(stderr, "train: operating point stored in the model: the model decides at %.2f (out-of-fold P %.3f R %.3f F1 %.3f on the real sets)\n",
				op.Threshold, op.Precision, op.Recall, op.F1)
		case rep.Operating.Threshold > 0:
			m.SetThreshold("dsat", rep.Operating.Threshold)
		case rep.CV.Best.Threshold > 0:
			m.SetThreshold("dsat", rep.CV.Best.Threshold)
		}
	}
	if f.combinedAt > 0 {
		m.SetThreshold("dsat", f.combinedAt)
		fmt.Fprintf(stderr, "train: operating point stored in the model: combined decision at classifier threshold %.2f (--combined-threshold)\n", f.combinedAt)
	}
	if err := writeModel(f.output, m); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "train: wrote %s (%d examples)\n", f.output, len(examples))
	return nil
}

// dataNote lists the base names of the training files for the model file.
func dataNote(inputs, weak []string) string {
	var b strings.Builder
	for i, in := range inputs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(filepath.Base(in))
	}
	for _, w := range weak {
		b.WriteString(" weak:" + filepath.Base(w))
	}
	return b.String()
}

// readLabelledFile reads one labelled JSONL file; examples are tagged with
// the file's base name.
func readLabelledFile(ctx context.Context, path string, sig classifier.SignalFunc) ([]classifier.Example, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return classifier.ReadExamples(ctx, fh, filepath.Base(path), sig)
}

// weakExamples draws weakly-labelled turns from the --weak logs. Weak
// negatives are capped (by default at the number of weak positives).
func weakExamples(ctx context.Context, f trainFlags, eng *heuristics.Engine) ([]classifier.Example, error) {
	if eng == nil {
		eng = heuristics.Default()
	}
	format, err := conversation.ParseFormat(f.format)
	if err != nil {
		return nil, err
	}
	score := func(t *heuristics.Turn) ([]heuristics.Signal, float64, float64) {
		a := eng.Analyze(t)
		return a.Signals, a.DSAT, a.SAT
	}
	wopts := classifier.WeakOptions{MinScore: f.weakMin, Weight: f.weakWeight}
	var pos, neg []classifier.Example
	for _, path := range f.weak {
		r, err := conversation.Open(path)
		if err != nil {
			return nil, err
		}
		r.Format = format
		set := "weak:" + filepath.Base(path)
		for {
			c, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return nil, err
			}
			p, n := classifier.WeakExamples(c, score, wopts)
			for i := range p {
				p[i].Set = set
			}
			for i := range n {
				n[i].Set = set
			}
			pos = append(pos, p...)
			neg = append(neg, n...)
		}
		if err := r.Close(); err != nil {
			return nil, err
		}
	}
	limit := f.weakMaxNeg
	if limit < 0 {
		limit = len(pos)
	}
	if len(neg) > limit {
		neg = neg[:limit]
	}
	return append(pos, neg...), nil
}

func writeModel(path string, m *classifier.Model) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.Save(fh); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func printCVReport(w io.Writer, r *classifier.CVReport) error {
	fmt.Fprintf(w, "cross-validation: %d folds by conversation, %d scored turns", r.Folds, r.CV.Examples)
	if r.Weak > 0 {
		fmt.Fprintf(w, " (+%d weak, trained on only)", r.Weak)
	}
	fmt.Fprintf(w, ", %d conversations\n\n", r.Conversations)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("DSAT\tthreshold\tP\tR\tF1\n")
	p("at 0.50\t0.50\t%s\n", m3(r.CV.DSAT))
	if r.CV.Best.Threshold > 0 {
		p("best with P>=%.2f\t%.2f\t%s\n", r.MinPrecision, r.CV.Best.Threshold, m3(r.CV.Best.Metrics))
	} else {
		p("best with P>=%.2f\t-\t-\t-\t-\n", r.MinPrecision)
	}
	p("SAT at 0.50\t0.50\t%s\n", m3(r.CV.SAT))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nDSAT Brier score %.4f; train vs CV DSAT F1 at 0.50: train %.3f, cv %.3f, gap %.3f\n\n",
		r.CV.Brier, r.Train.DSAT.F1, r.CV.DSAT.F1, r.Gap())

	p("category\tgold\tP\tR\tF1\tend-to-end P\tR\tF1\n")
	for _, c := range heuristics.Categories {
		m, ok := r.CV.Categories[c]
		if !ok {
			continue
		}
		p("%s\t%d\t%s\t%s\n", c, m.TP+m.FN, m3(m), m3(r.CV.EndToEnd[c]))
	}
	p("(P/R/F1 on gold-DSAT turns; end-to-end: DSAT >= 0.5 and category >= 0.5 over all turns)\n")
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Sets) > 0 {
		p("\nfile\tturns\tP@0.50\tR@0.50\tF1@0.50\tbest threshold\tP\tR\tF1\n")
		for _, s := range r.Sets {
			p("%s\t%d\t%s\t%.2f\t%s\n", s.Set, s.Examples, m3(s.DSAT), s.Best.Threshold, m3(s.Best.Metrics))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if err := printCombined(w, r); err != nil {
		return err
	}
	p("\nreliability\tturns\tmean predicted\tobserved DSAT\n")
	for _, b := range r.CV.Reliability {
		if b.Count > 0 {
			p("[%.1f, %.1f)\t%d\t%.3f\t%.3f\n", b.Lower, b.Upper, b.Count, b.MeanPredicted, b.Observed)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p("\nthreshold\tP\tR\tF1\n")
	for _, s := range r.CV.Sweep {
		p("%.2f\t%s\n", s.Threshold, m3(s.Metrics))
	}
	return tw.Flush()
}

// printCombined prints the out-of-fold figures of the miner's decision
// (heuristics merged with the classifier by classifier.Rule) next to the
// heuristics alone, overall and per file, and the classifier-threshold sweep.
func printCombined(w io.Writer, r *classifier.CVReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	best := func(c classifier.CombinedFigures) string {
		if c.Best.Threshold == 0 {
			return "-\t-\t-\t-"
		}
		return fmt.Sprintf("%.2f\t%s", c.Best.Threshold, m3(c.Best.Metrics))
	}
	veto := "no veto"
	if v := r.CV.Combined.Veto; v > 0 {
		veto = fmt.Sprintf("veto below %.2f", v)
	}
	fmt.Fprintf(w, "\nminer decision, out of fold (classifier on every follow-up, %s, category thresholds 0.5):\n", veto)
	p("set\tturns\theuristics P\tR\tF1\t+classifier@0.50 P\tR\tF1\tbest t (P>=%.2f)\tP\tR\tF1\n", r.MinPrecision)
	row := func(name string, f *classifier.Figures) {
		c := f.Combined
		p("%s\t%d\t%s\t%s\t%s\n", name, f.Examples, m3(c.Heuristics), m3(c.DSAT), best(c))
	}
	row("all", &r.CV)
	for i := range r.Sets {
		row(r.Sets[i].Set, &r.Sets[i].Figures)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c := r.CV.Combined
	p("\ncategory (all turns)\theuristics P\tR\tF1\t+classifier@0.50 P\tR\tF1\t+classifier@best P\tR\tF1\n")
	for _, cat := range heuristics.Categories {
		m, ok := c.Categories[cat]
		if !ok {
			continue
		}
		bm := "-\t-\t-"
		if b, ok := c.BestCategories[cat]; ok {
			bm = m3(b)
		}
		p("%s\t%s\t%s\t%s\n", cat, m3(c.HeuristicCategories[cat]), m3(m), bm)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p("\nclassifier threshold\tcombined P\tR\tF1\n")
	for _, s := range c.Sweep {
		p("%.2f\t%s\n", s.Threshold, m3(s.Metrics))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	on := "all files"
	if len(r.OperatingSets) > 0 {
		on = strings.Join(r.OperatingSets, ", ")
	}
	if op := r.Operating; op.Threshold > 0 {
		_, err := fmt.Fprintf(w, "\noperating point stored in the model: classifier threshold %.2f (combined P %.3f R %.3f F1 %.3f on %s)\n",
			op.Threshold, op.Precision, op.Recall, op.F1, on)
		return err
	}
	_, err := fmt.Fprintf(w, "\nno classifier threshold reaches combined precision %.2f on %s; the classifier's own best point is stored\n", r.MinPrecision, on)
	return err
}

// printLOSO prints the leave-one-source-out table and the learning curve.
func printLOSO(w io.Writer, r *classifier.LOSOReport) error {
	fmt.Fprintf(w, "\nleave-one-source-out (train on every other source and the aids, score this one; thresholds chosen out of fold on the training sources at target precision %.2f):\n", r.TargetPrecision)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("held-out source\tturns\tDSAT\theuristics P\tR\tF1\tmodel P\tR\tF1\tcombined P\tR\tF1\tAUC")
	for _, t := range r.Targets {
		p("\tP@%.2f\tR", t)
	}
	p("\n")
	for _, s := range append(r.Sources, r.Pooled) {
		p("%s\t%d\t%d\t%s\t%s\t%s\t%.3f", s.Source, s.Examples, s.Positives, m3(s.Heuristics), m3(s.Model.Metrics), m3(s.Combined.Metrics), s.AUC)
		for _, op := range s.Targets {
			p("\t%.3f\t%.3f", op.Precision, op.Recall)
		}
		p("\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Curve) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nlearning curve (mean over held-out sources):\n")
	p("fraction\treal training turns\tP\tR\tF1\n")
	for _, c := range r.Curve {
		p("%.2f\t%d\t%.3f\t%.3f\t%.3f\n", c.Fraction, c.TrainReal, c.Precision, c.Recall, c.F1)
	}
	return tw.Flush()
}

// m3 formats precision, recall and F1 as three tab-separated columns.
func m3(m classifier.Metrics) string {
	return fmt.Sprintf("%.3f\t%.3f\t%.3f", m.Precision, m.Recall, m.F1)
}
