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
// in-process classifier (--classifier), the heuristic cascade band in front
// of it (--cascade), and the LLM judge (--judge-*) behind it, asked only
// about the follow-ups whose calibrated DSAT probability lies in the judge
// band (--judge-band or --judge-share).
type scoringFlags struct {
	classifier string
	cascade    string
	threshold  float64
	veto       float64
	judgeBand  string
	judgeShare float64
	judge      *judgeFlags
}

// addScoringFlags registers --classifier, --cascade and the --judge-* flags.
func addScoringFlags(cmd *cobra.Command) *scoringFlags {
	f := &scoringFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.classifier, "classifier", defaultClassifier, `in-process classifier: "default" (the embedded model, combined with the heuristics), "none" (heuristics only) or a model file written by "dsatmine train"; a judge is asked behind it`)
	fs.StringVar(&f.cascade, "cascade", "", `score only follow-ups whose heuristic DSAT score is in the band LOW:HIGH with the in-process classifier ("default" = 0:0.8; off when empty). Not for the judge: use --judge-share or --judge-band`)
	fs.Float64Var(&f.threshold, "classifier-threshold", 0, "classifier DSAT probability that makes a follow-up DSAT (0 = the model's stored operating point, else 0.5)")
	fs.Float64Var(&f.veto, "classifier-veto", 0, "classifier DSAT probability below which heuristic scores are lowered in proportion (0 = the model's stored value, else 0.2; negative = no veto)")
	fs.Float64Var(&f.judgeShare, "judge-share", 0, fmt.Sprintf("with --judge-endpoint: send the judge the follow-ups of the band around the classifier's decision threshold that holds at most this share of follow-ups, estimated from the model's out-of-fold operating table (0 = %.2f unless --judge-band is given)", dsat.DefaultJudgeShare))
	fs.StringVar(&f.judgeBand, "judge-band", "", "with --judge-endpoint: send the judge the follow-ups whose calibrated classifier DSAT probability is in LOW:HIGH (instead of --judge-share)")
	f.judge = addJudgeFlags(cmd)
	return f
}

// scoring is what the flags built: the classifier for dsat.Config, the
// cascade band, and the judge with its band or share when one is used.
type scoring struct {
	clf             classifier.Classifier
	band            *dsat.Band
	threshold, veto float64
	judgeClf        classifier.Classifier
	judgeBand       *dsat.Band
	judgeShare      float64
	judge           *llmjudge.Judge
}

// apply puts the classifier, its combination rule, the bands and the judge
// into cfg.
func (s scoring) apply(cfg *dsat.Config) {
	cfg.Classifier = s.clf
	cfg.Cascade = s.band
	cfg.ClassifierThreshold = s.threshold
	cfg.ClassifierVeto = s.veto
	cfg.Judge = s.judgeClf
	cfg.JudgeBand = s.judgeBand
	cfg.JudgeShare = s.judgeShare
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
	if f.judgeShare < 0 || f.judgeShare > 1 {
		return s, fmt.Errorf("--judge-share %v is outside (0,1]", f.judgeShare)
	}
	clf, judge, err := f.judge.build()
	if err != nil {
		return s, err
	}
	if clf == nil && (f.judgeShare > 0 || f.judgeBand != "") {
		return s, errors.New("--judge-share and --judge-band need --judge-endpoint")
	}
	if clf != nil {
		// The judge sits behind the calibrated classifier (the embedded
		// model unless --classifier names one).
		if f.cascade != "" {
			return s, errors.New("--cascade gates the in-process classifier on heuristic scores; with --judge-endpoint use --judge-share or --judge-band")
		}
		if f.judgeShare > 0 && f.judgeBand != "" {
			return s, errors.New("--judge-share and --judge-band are alternatives; give one")
		}
		s.judgeClf, s.judge, s.judgeShare = clf, judge, f.judgeShare
		if f.judgeBand != "" {
			b, err := dsat.ParseJudgeBand(f.judgeBand)
			if err != nil {
				return s, fmt.Errorf("--judge-band: %w", err)
			}
			s.judgeBand = &b
		}
	}
	switch {
	case name == "default" || (name == "" && clf != nil):
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
			return s, errors.New("--cascade needs --classifier")
		}
		band, err := dsat.ParseBand(f.cascade)
		if err != nil {
			return s, fmt.Errorf("--cascade: %w", err)
		}
		s.band = &band
	}
	return s, nil
}
