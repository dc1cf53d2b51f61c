package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/eval"
)

// defaultEvalTargets are the precision targets eval reports by default.
const defaultEvalTargets = "0.70,0.80,0.90"

// targetFigures is what eval measured at one --target-precision: the
// threshold the model's operating table gave for it, the precision and recall
// the table promised there (out of fold on the model's training data), and
// the DSAT figures achieved on the labelled files.
type targetFigures struct {
	Target    float64 `json:"target"`
	Reachable bool    `json:"reachable"`
	// Threshold, Promised* are the operating table's row for Target.
	Threshold         float64 `json:"threshold,omitempty"`
	PromisedPrecision float64 `json:"promised_precision,omitempty"`
	PromisedRecall    float64 `json:"promised_recall,omitempty"`
	// DSAT is achieved over all the labelled files.
	DSAT *eval.Binary `json:"dsat,omitempty"`
}

// inSample returns the labelled files (by base name) the model was trained
// on: figures on them say nothing about logs the model has not seen.
func inSample(model *classifier.Model, paths []string) []string {
	trained := strings.Fields(model.Info().Data)
	var out []string
	for _, p := range paths {
		if slices.Contains(trained, filepath.Base(p)) {
			out = append(out, filepath.Base(p))
		}
	}
	return out
}

// parseTargets reads --targets: comma-separated precisions in (0,1); "" or
// "none" means none.
func parseTargets(v string) ([]float64, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "none" {
		return nil, nil
	}
	var ts []float64
	for _, f := range strings.Split(v, ",") {
		t, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || t <= 0 || t >= 1 {
			return nil, fmt.Errorf("--targets: %q is not a precision in (0,1)", f)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// targetModel returns the model whose operating table the targets read: the
// classifier of cfg when it has a table, the embedded model when cfg has no
// classifier, else nil (a judge, or a model without a table).
func targetModel(cfg dsat.Config) (*classifier.Model, error) {
	switch c := cfg.Classifier.(type) {
	case nil:
		return classifier.Default()
	case *classifier.Model:
		if _, err := c.ThresholdFor(0.5); errors.Is(err, classifier.ErrNoTable) {
			return nil, nil
		}
		return c, nil
	}
	return nil, nil
}

// evalTargets evaluates the labelled files once per target precision, the
// model deciding at the threshold its operating table gives for the target
// (as mine --target-precision does). It returns nil when there is no model
// with an operating table to read.
func evalTargets(cmd *cobra.Command, cfg dsat.Config, targets []float64, paths []string) ([]targetFigures, *classifier.Model, error) {
	// With a judge every extra pass would pay for its calls again; the
	// flag's help says targets are skipped then.
	if len(targets) == 0 || cfg.TargetPrecision > 0 || cfg.ClassifierThreshold > 0 || cfg.Judge != nil {
		return nil, nil, nil
	}
	model, err := targetModel(cfg)
	if err != nil || model == nil {
		return nil, nil, err
	}
	var out []targetFigures
	for _, t := range targets {
		tf := targetFigures{Target: t}
		op, err := model.ThresholdFor(t)
		if errors.Is(err, classifier.ErrPrecisionOutOfReach) {
			out = append(out, tf)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		tf.Reachable, tf.Threshold = true, op.Threshold
		tf.PromisedPrecision, tf.PromisedRecall = op.Precision, op.Recall
		c := cfg
		c.Classifier, c.TargetPrecision = model, t
		m, err := dsat.NewMiner(c)
		if err != nil {
			return nil, nil, err
		}
		overall := eval.NewScorecard("overall")
		for _, p := range paths {
			rep, err := evalFile(cmd, m, p, nil, nil)
			if err != nil {
				return nil, nil, err
			}
			overall.Merge(rep)
		}
		tf.DSAT = &overall.DSAT
		out = append(out, tf)
	}
	return out, model, nil
}

// writeTargets prints the target-precision table under eval's reports.
func writeTargets(w io.Writer, model string, ts []targetFigures, inSample []string) error {
	if len(ts) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\n== --target-precision (%s model decides at the threshold its table gives), DSAT over all files\n", model)
	if len(inSample) > 0 {
		fmt.Fprintf(tw, "in-sample: the model was trained on %s; these figures do not predict unseen logs\n", strings.Join(inSample, ", "))
	}
	fmt.Fprintln(tw, "target\tthreshold\ttable P\ttable R\tP\tR\tF1\tTP\tFP\tFN\t")
	for _, t := range ts {
		if !t.Reachable {
			fmt.Fprintf(tw, "%.2f\tout of reach\t\t\t\t\t\t\t\t\t\n", t.Target)
			continue
		}
		b := t.DSAT
		fmt.Fprintf(tw, "%.2f\t%.2f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t\n", t.Target, t.Threshold, t.PromisedPrecision, t.PromisedRecall, b.Precision, b.Recall, b.F1, b.TP, b.FP, b.FN)
	}
	return tw.Flush()
}
