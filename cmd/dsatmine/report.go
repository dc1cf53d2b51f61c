package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/report"
)

func init() {
	rootCmd.AddCommand(newReportCmd())
}

func newReportCmd() *cobra.Command {
	var (
		read                 readFlags
		policy               policyFlags
		scoreFlags           *scoringFlags
		out, stats, anchors  string
		title                string
		asJSON               bool
		samples, cues, group int
	)
	cmd := &cobra.Command{
		Use:   "report EVENTS.jsonl|INPUT... -o REPORT.html",
		Short: "Write a self-contained HTML report (or JSON) of DSAT rates, evidence and sample anchors",
		Long: `report writes one self-contained HTML page about a run: a summary, DSAT
rates per category, model, language and turn position with 95% Wilson
confidence intervals, a score histogram with the operating threshold, the most
frequent evidence cues and sample anchors with their evidence highlighted. The
page has inline CSS and SVG charts, no scripts and no external resources.
With --json it writes the same figures as JSON instead.

The inputs are either events files written by "mine --events" (detected by
their "kind" and "follow_up" fields; add the run's --stats for rates and
--anchors for samples), or chat logs, which report mines itself with the same
miner and policy flags as mine (standard input, "-", is read as logs). Mining
the logs gives exact figures over every follow-up; events files only hold the
follow-ups that made an event.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("missing -o REPORT.html (use -o - for standard output)")
			}
			events, err := eventInputs(args)
			if err != nil {
				return err
			}
			opt := report.DefaultOptions()
			if title != "" {
				opt.Title = title
			}
			opt.Inputs = args
			opt.Threshold = policy.Threshold
			opt.SamplesPerCategory, opt.CuesPerCategory, opt.MaxGroups = samples, cues, group
			agg := report.NewAggregator(opt)
			ctx := cmd.Context()

			if events {
				if err := logOnlyFlags(cmd.Flags()); err != nil {
					return err
				}
				for _, p := range args {
					if err := readFile(p, func(f *os.File) error { return agg.ReadEvents(ctx, f, p) }); err != nil {
						return err
					}
				}
				if stats != "" {
					err := readFile(stats, func(f *os.File) error {
						st, err := report.ReadStats(f, stats)
						agg.SetStats(st)
						return err
					})
					if err != nil {
						return err
					}
				}
				if anchors != "" {
					if err := readFile(anchors, func(f *os.File) error { return agg.ReadAnchors(ctx, f, anchors) }); err != nil {
						return err
					}
				}
			} else {
				if stats != "" || anchors != "" {
					return errors.New("--stats and --anchors go with an events file; when report mines logs it computes both itself")
				}
				inFormat, err := conversation.ParseFormat(read.format)
				if err != nil {
					return err
				}
				sc, err := scoreFlags.build()
				if err != nil {
					return err
				}
				cfg := policy.config(nil)
				sc.apply(&cfg)
				m, err := dsat.NewMiner(cfg)
				if err != nil {
					return err
				}
				inputs, closeInputs, err := openInputs(args, inFormat, read.strict)
				if err != nil {
					return err
				}
				defer closeInputs()
				readers := make([]dsat.Input, len(inputs))
				for i, in := range inputs {
					readers[i] = in.r
				}
				st, err := agg.Mine(ctx, m, readers)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.ErrOrStderr(), summary(st, out))
			}

			o, err := createOutput(out, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			defer o.abort()
			r := agg.Report()
			if asJSON {
				err = r.WriteJSON(o)
			} else {
				err = r.WriteHTML(o)
			}
			if err != nil {
				return err
			}
			return o.commit()
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&out, "output", "o", "", "report file (- for standard output)")
	fs.BoolVar(&asJSON, "json", false, "write the report's figures as JSON instead of HTML")
	fs.StringVar(&stats, "stats", "", "run statistics of the events (from mine --stats): records, follow-ups and rates")
	fs.StringVar(&anchors, "anchors", "", "anchors of the events' run (from mine -o, drift layout): sample anchors")
	fs.StringVar(&title, "title", "", "report title (default \"dsatmine report\")")
	fs.IntVar(&samples, "samples", report.DefaultOptions().SamplesPerCategory, "sample anchors shown per category")
	fs.IntVar(&cues, "cues", report.DefaultOptions().CuesPerCategory, "evidence cues listed per category")
	fs.IntVar(&group, "max-groups", report.DefaultOptions().MaxGroups, "models or languages shown before the rest are summed as \"other\"")
	read.register(cmd)
	policy.register(cmd)
	scoreFlags = addScoringFlags(cmd)
	return cmd
}

// eventInputs reports whether the inputs are events files rather than chat
// logs. Standard input is read as logs; mixing the two is an error.
func eventInputs(paths []string) (bool, error) {
	var events, logs []string
	for _, p := range paths {
		isEvents := false
		if p != "-" {
			err := readFile(p, func(f *os.File) error {
				var err error
				isEvents, err = report.IsEvents(f)
				return err
			})
			if err != nil {
				return false, err
			}
		}
		if isEvents {
			events = append(events, p)
		} else {
			logs = append(logs, p)
		}
	}
	if len(events) > 0 && len(logs) > 0 {
		return false, fmt.Errorf("cannot mix events files (%s) and chat logs (%s) in one report", events[0], logs[0])
	}
	return len(events) > 0, nil
}

// logOnlyFlags rejects the reading and policy flags, which only apply when
// report mines logs (--threshold also marks the histogram, so it is allowed).
func logOnlyFlags(fs *pflag.FlagSet) error {
	var bad string
	fs.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "output", "json", "stats", "anchors", "title", "samples", "cues", "max-groups", "threshold":
		default:
			if bad == "" {
				bad = f.Name
			}
		}
	})
	if bad != "" {
		return fmt.Errorf("--%s applies only when report mines chat logs, not to an events file", bad)
	}
	return nil
}

func readFile(path string, fn func(*os.File) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return fn(f)
}
