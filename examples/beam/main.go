// Command beam mines chat logs for dissatisfied follow-ups with Apache Beam:
// the same anchors and statistics as `dsatmine mine`, on any Beam runner.
//
// Usage:
//
//	go run . [flags] INPUT...
//
// INPUT is a file or a glob pattern in any Beam file system (a local path,
// gs://bucket/logs/*.jsonl.gz, ...); each file is one shard of work. The
// anchors file is written in input order and is byte-identical to the
// output of `dsatmine mine` given the same files in the same order. With no
// --runner flag the pipeline runs in-process on the prism runner; see
// README.md for Dataflow, Flink and Spark.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
)

func main() {
	opts := Options{Policy: DefaultPolicy()}
	var input, exportName string
	p := &opts.Policy
	fs := flag.CommandLine
	fs.StringVar(&input, "input", "", "comma-separated input files or glob patterns (in addition to the arguments)")
	fs.StringVar(&opts.Anchors, "output", "", "anchors output file (JSON Lines; required)")
	fs.StringVar(&opts.Events, "events", "", "also write every DSAT and SAT event to this JSON Lines file")
	fs.StringVar(&opts.Stats, "stats", "", "write the merged run statistics as JSON to this file")
	fs.StringVar(&exportName, "export", string(export.FormatDRIFT), "anchor layout: drift, trl, kto, openrlhf, llamafactory")
	fs.StringVar(&opts.Format, "format", "auto", "input record format (auto detects it per file)")
	fs.BoolVar(&opts.Strict, "strict", false, "fail on the first bad record instead of skipping and counting it")
	fs.Int64Var(&opts.SplitBytes, "split-bytes", 0, "cut local plain JSON Lines files bigger than this into byte-range shards of about this size (0 = one shard per file)")
	registerPolicyFlags(fs, &p.Policy)
	fs.IntVar(&p.MaxPromptTokens, "max-prompt-tokens", 0, "left-truncate prompt history to this many tokens (0 = no limit)")
	fs.IntVar(&p.MaxTotalTokens, "max-total-tokens", 0, "limit prompt plus reply tokens (0 = no limit)")
	fs.StringVar(&p.Encoding, "encoding", p.Encoding, "token encoding for the budgets: cl100k_base or o200k_base")
	fs.BoolVar(&p.NoDedup, "no-dedup", false, "keep anchors whose normalised prompt and reply repeat")
	fs.StringVar(&p.Classifier, "classifier", p.Classifier, `in-process classifier: "default" (the embedded model, combined with the heuristics), "none" (heuristics only) or a model file written by "dsatmine train"`)
	fs.StringVar(&p.Cascade, "cascade", "", `score only follow-ups whose heuristic DSAT score is in the band LOW:HIGH with the classifier ("default" = 0:0.8; off when empty)`)
	fs.Float64Var(&p.ClassifierThreshold, "classifier-threshold", 0, "classifier DSAT probability that makes a follow-up DSAT (0 = the model's stored operating point)")
	fs.Float64Var(&p.ClassifierVeto, "classifier-veto", 0, "classifier DSAT probability below which heuristic scores are lowered in proportion (0 = the model's stored value; negative = no veto)")
	flag.Parse()
	// Workers re-enter main with the Beam worker flags; Init then runs the
	// worker harness and never returns.
	beam.Init()

	opts.Export = export.Format(exportName)
	opts.Inputs = flag.Args()
	if input != "" {
		opts.Inputs = append(strings.Split(input, ","), opts.Inputs...)
	}
	if len(opts.Inputs) == 0 || opts.Anchors == "" {
		fmt.Fprintln(os.Stderr, "usage: beam [flags] --output ANCHORS.jsonl INPUT...")
		flag.PrintDefaults()
		os.Exit(2)
	}

	ctx := context.Background()
	pipeline, s := beam.NewPipelineWithRoot()
	if err := Build(ctx, s, opts); err != nil {
		log.Fatal(err)
	}
	if err := beamx.Run(ctx, pipeline); err != nil {
		log.Fatalf("pipeline failed: %v", err)
	}
}

// registerPolicyFlags defines one flag per field of p on fs, with p's values
// as defaults, as dsatmine's mine command does.
func registerPolicyFlags(fs *flag.FlagSet, p *dsat.Policy) {
	fs.Func("threshold", `score threshold of the DSAT categories: a number for all ("0.6"), category=number pairs ("complaint=0.6,doubt=0.8"), or both (default `+p.ThresholdString()+`)`, p.ParseThreshold)
	fs.Float64Var(&p.SATThreshold, "sat-threshold", p.SATThreshold, "score at which a follow-up is SAT")
	fs.Float64Var(&p.MinScore, "min-score", p.MinScore, "global operating point: anchors scoring below it are not written")
	fs.BoolVar(&p.DoubtAnchors, "doubt-anchors", p.DoubtAnchors, "doubt-only events make anchors (scored × --doubt-weight)")
	fs.Float64Var(&p.DoubtWeight, "doubt-weight", p.DoubtWeight, "score factor of doubt-only anchors")
	fs.BoolVar(&p.PushbackAnchors, "pushback-anchors", p.PushbackAnchors, "pushback-only events make anchors")
	fs.BoolVar(&p.CountExtensions, "count-extensions", p.CountExtensions, "count refinements that only extend a good answer")
	fs.Float64Var(&p.TargetPrecision, "target-precision", p.TargetPrecision, "let the classifier decide at the lowest threshold whose measured precision, stored with the model, is at least this (0 = off)")
	fs.IntVar(&p.MaxAnchorsPerConversation, "max-anchors-per-conversation", p.MaxAnchorsPerConversation, "keep at most N anchors per conversation, highest scores first (0 = unlimited)")
}
