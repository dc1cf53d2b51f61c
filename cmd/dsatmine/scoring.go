package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/classifier/llmjudge"
	"github.com/dsatmine/dsatmine/dsat"
)

// scoringFlags selects the optional learned scoring of mine and eval: the
// in-process classifier (--classifier) or the LLM judge (--judge-*), and the
// cascade band that limits which follow-ups they see.
type scoringFlags struct {
	classifier string
	cascade    string
	judge      *judgeFlags
}

// addScoringFlags registers --classifier, --cascade and the --judge-* flags.
func addScoringFlags(cmd *cobra.Command) *scoringFlags {
	f := &scoringFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.classifier, "classifier", "", `in-process classifier: "default" (the embedded model) or a model file written by "dsatmine train" (off when empty)`)
	fs.StringVar(&f.cascade, "cascade", "", `score only follow-ups whose heuristic DSAT score is in the band LOW:HIGH with the classifier or judge ("default" = 0:0.8; off when empty)`)
	f.judge = addJudgeFlags(cmd)
	return f
}

// scoring is what the flags built: the classifier for dsat.Config, the
// cascade band, and the judge (for its statistics) when one is used.
type scoring struct {
	clf   classifier.Classifier
	band  *dsat.Band
	judge *llmjudge.Judge
}

// apply puts the classifier and band into cfg.
func (s scoring) apply(cfg *dsat.Config) {
	cfg.Classifier = s.clf
	cfg.Cascade = s.band
}

// annotate adds the judge's request, token, cache and budget figures to the
// run statistics.
func (s scoring) annotate(st *dsat.Stats) {
	if s.judge != nil && st != nil && st.Classifier != nil {
		st.Classifier.Details = s.judge.Stats()
	}
}

func (f *scoringFlags) build() (scoring, error) {
	var s scoring
	clf, judge, err := f.judge.build()
	if err != nil {
		return s, err
	}
	switch {
	case f.classifier != "" && clf != nil:
		return s, errors.New("--classifier and --judge-endpoint are alternatives; give one")
	case clf != nil:
		s.clf, s.judge = clf, judge
	case f.classifier == "default":
		m, err := classifier.Default()
		if err != nil {
			return s, fmt.Errorf("default classifier: %w", err)
		}
		s.clf = m
	case f.classifier != "":
		fh, err := os.Open(f.classifier)
		if err != nil {
			return s, err
		}
		defer fh.Close()
		m, err := classifier.Load(fh)
		if err != nil {
			return s, fmt.Errorf("%s: %w", f.classifier, err)
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
