package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/eval"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/labelled"
)

func init() {
	rootCmd.AddCommand(newEvalCmd())
}

// evalOutput is the JSON document of eval --json.
type evalOutput struct {
	Files   []*eval.Scorecard `json:"files"`
	Overall *eval.Scorecard   `json:"overall"`
	// Languages splits the overall figures by language.
	Languages []*eval.Scorecard `json:"languages"`
	// Targets are the figures at each --targets precision.
	Targets []targetFigures `json:"targets,omitempty"`
	// TargetsInSample lists the files the targets' model was trained on.
	TargetsInSample []string `json:"targets_in_sample,omitempty"`
}

func newEvalCmd() *cobra.Command {
	var (
		policy      policyFlags
		asJSON      bool
		predictions string
		scoreFlags  *scoringFlags
		targets     string
	)
	cmd := &cobra.Command{
		Use:   "eval LABELLED.jsonl...",
		Short: "Measure the miner on labelled conversations",
		Long: `eval runs the miner over labelled conversations (JSON Lines, one conversation
with per-turn labels per line; gzip or zstd allowed) and compares its verdicts
with the labels: DSAT and SAT precision, recall and F1, per-category precision
and recall on turns whose label carries categories, a confusion table and a
threshold sweep, per file and overall, then DSAT figures per language (a
record's optional "lang" field, else the language guessed from its user
messages). --predictions writes one line per labelled turn:
{"id","turn","dsat","sat","categories","score"}.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scoreFlags.build()
			if err != nil {
				return err
			}
			cfg := policy.config(nil)
			sc.apply(&cfg)
			ts, err := parseTargets(targets)
			if err != nil {
				return err
			}
			m, err := dsat.NewMiner(cfg)
			if err != nil {
				return err
			}
			var onPred func(eval.Prediction) error
			var predOut *output
			if predictions != "" {
				if predOut, err = createOutput(predictions, cmd.OutOrStdout()); err != nil {
					return err
				}
				defer predOut.abort()
				var buf []byte
				onPred = func(p eval.Prediction) error {
					b, err := jsonx.Marshal(p)
					if err != nil {
						return err
					}
					buf = append(append(buf[:0], b...), '\n')
					_, err = predOut.Write(buf)
					return err
				}
			}
			res := evalOutput{Overall: eval.NewScorecard("overall")}
			byLang := eval.NewByLanguage()
			observe := func(p eval.Prediction) error {
				_ = byLang.Observe(p)
				if onPred != nil {
					return onPred(p)
				}
				return nil
			}
			for _, path := range args {
				rep, err := evalFile(cmd, m, path, byLang, observe)
				if err != nil {
					return err
				}
				res.Files = append(res.Files, rep)
				res.Overall.Merge(rep)
			}
			res.Languages = byLang.Reports()
			if predOut != nil {
				if err := predOut.commit(); err != nil {
					return err
				}
			}
			var tmodel *classifier.Model
			if res.Targets, tmodel, err = evalTargets(cmd, cfg, ts, args); err != nil {
				return err
			}
			if tmodel != nil {
				res.TargetsInSample = inSample(tmodel, args)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				b, err := jsonx.MarshalIndent(res, "", "  ")
				if err != nil {
					return err
				}
				_, err = w.Write(append(b, '\n'))
				return err
			}
			for _, rep := range res.Files {
				if err := rep.WriteText(w); err != nil {
					return err
				}
				if _, err := w.Write([]byte("\n")); err != nil {
					return err
				}
			}
			if len(res.Files) > 1 {
				if err := res.Overall.WriteText(w); err != nil {
					return err
				}
				if _, err := w.Write([]byte("\n")); err != nil {
					return err
				}
			}
			if err := eval.WriteLanguageTable(w, res.Languages); err != nil {
				return err
			}
			model := "embedded"
			if !classifierOff(scoreFlags.classifier) && scoreFlags.classifier != "default" {
				model = scoreFlags.classifier
			}
			return writeTargets(w, model, res.Targets, res.TargetsInSample)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reports as JSON")
	cmd.Flags().StringVar(&predictions, "predictions", "", "write one prediction per labelled turn to this JSON Lines file")
	cmd.Flags().StringVar(&targets, "targets", defaultEvalTargets, `also evaluate with --target-precision at each of these precisions (comma-separated; "none" = off), with the classifier's operating table (the embedded model's when none is given); skipped with --target-precision, --classifier-threshold or a judge`)
	policy.register(cmd)
	scoreFlags = addScoringFlags(cmd)
	return cmd
}

// evalFile evaluates one labelled file, splitting it by language into
// byLang when it is not nil.
func evalFile(cmd *cobra.Command, m *dsat.Miner, path string, byLang *eval.ByLanguage, onPred func(eval.Prediction) error) (rep *eval.Scorecard, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := labelled.NewReader(f, path)
	defer func() { err = errors.Join(err, r.Close()) }()
	var src eval.LabelledSource = r
	if byLang != nil {
		src = byLang.Source(r)
	}
	return eval.Evaluate(cmd.Context(), m, src, path, onPred)
}
