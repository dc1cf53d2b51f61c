package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/classifier/llmjudge"
	"github.com/dsatmine/dsatmine/dsat"
)

// scoringFlags selects the optional learned scoring of mine and eval: the
// in-process classifier (--classifier) or the LLM judge (--judge-*), and the
// cascade band that limits which follow-ups they see.
type scoringFlags struct {
	fs         *pflag.FlagSet
	classifier string
	cascade    string
	threshold  float64
	veto       float64
	judge      *judgeFlags
}

// addScoringFlags registers --classifier, --cascade and the --judge-* flags.
func addScoringFlags(cmd *cobra.Command) *scoringFlags {
	fs := cmd.Flags()
	f := &scoringFlags{fs: fs}
	fs.StringVar(&f.classifier, "classifier", defaultClassifier, `in-process classifier: "default" (the embedded model, combined with the heuristics), "none" (heuristics only) or a model file written by "dsatmine train"`)
	fs.StringVar(&f.cascade, "cascade", "", `score only follow-ups whose heuristic DSAT score is in the band LOW:HIGH with the classifier or judge ("default" = 0:0.8; off when empty)`)
	fs.Float64Var(&f.threshold, "classifier-threshold", 0, "classifier or judge DSAT probability that makes a follow-up DSAT (0 = the model's stored operating point, else 0.5)")
	fs.Float64Var(&f.veto, "classifier-veto", 0, "classifier or judge DSAT probability below which heuristic scores are lowered in proportion (0 = the model's stored value, else 0.2; negative = no veto)")
	f.judge = addJudgeFlags(cmd)
	return f
}

// scoring is what the flags built: the classifier for dsat.Config, the
// cascade band, and the judge (for its statistics) when one is used.
type scoring struct {
	clf             classifier.Classifier
	band            *dsat.Band
	threshold, veto float64
	judge           *llmjudge.Judge
}

// apply puts the classifier, its combination rule and the band into cfg.
func (s scoring) apply(cfg *dsat.Config) {
	cfg.Classifier = s.clf
	cfg.Cascade = s.band
	cfg.ClassifierThreshold = s.threshold
	cfg.ClassifierVeto = s.veto
}

// annotate adds the judge's request, token, cache and budget figures to the
// run statistics.
func (s scoring) annotate(st *dsat.Stats) {
	if s.judge != nil && st != nil && st.Classifier != nil {
		st.Classifier.Details = s.judge.Stats()
	}
}

// defaultClassifier is --classifier's default: the embedded model, which
// beat heuristics alone in precision and recall on every real source whose
// heuristics it was not fitted to, out of source (README "Measured quality").
const defaultClassifier = "default"

// classifierOff reports whether --classifier names no classifier.
func classifierOff(v string) bool { return v == "" || v == "none" }

func (f *scoringFlags) build() (scoring, error) {
	s := scoring{threshold: f.threshold, veto: f.veto}
	name := f.classifier
	if classifierOff(name) {
		name = ""
	}
	if f.threshold < 0 || f.threshold > 1 {
		return s, fmt.Errorf("--classifier-threshold %v is outside [0,1]", f.threshold)
	}
	if f.veto > 1 {
		return s, fmt.Errorf("--classifier-veto %v is above 1", f.veto)
	}
	clf, judge, err := f.judge.build()
	if err != nil {
		return s, err
	}
	switch {
	case name != "" && clf != nil && f.fs.Changed("classifier"):
		return s, errors.New("--classifier and --judge-endpoint are alternatives; give one")
	case clf != nil:
		s.clf, s.judge = clf, judge
	case name == "default":
		m, err := classifier.Default()
		if err != nil {
			return s, fmt.Errorf("default classifier: %w", err)
		}
		s.clf = m
	case name != "":
		fh, err := os.Open(name)
		if err != nil {
			return s, err
		}
		defer fh.Close()
		m, err := classifier.Load(fh)
		if err != nil {
			return s, fmt.Errorf("%s: %w", name, err)
		}
		s.clf = m
	}
	if f.cascade != "" {
		if s.clf == nil {
			return s, errors.New("--cascade needs --classifier or --judge-endpoint")
		}
		band, err := dsat.ParseBand(f.cascade)
		if err != nil {
			return s, fmt.Errorf("--cascade: %w", err)
		}
		s.band = &band
	}
	return s, nil
}
