// Command customdetector shows how to plug a detector of your own into the
// miner. Its signals are combined (noisy-OR per category) with those of the
// built-in heuristics. This one flags follow-ups that paste a stack trace
// or error message back at the assistant, a common sign that suggested code
// did not work.
//
//	go run ./examples/customdetector testdata/sample/wildchat-sample.jsonl
package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"regexp"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/heuristics"
)

// tracebackDetector reports a complaint when the follow-up contains an error
// marker. Detectors must be safe for concurrent use; this one has no state.
type tracebackDetector struct{}

func (tracebackDetector) Name() string { return "traceback" }

// errorRE matches the usual shapes of pasted errors: a Python traceback
// header, a Go panic, or an exception name such as "ModuleNotFoundError:".
var errorRE = regexp.MustCompile(`Traceback \(most recent call last\)|panic: |\b[A-Z][A-Za-z]*(?:Error|Exception):`)

func (tracebackDetector) Detect(t *heuristics.Turn, dst []heuristics.Signal) []heuristics.Signal {
	text := t.Text()
	loc := errorRE.FindStringIndex(text)
	if loc == nil {
		return dst
	}
	m := text[loc[0]:loc[1]]
	return append(dst, heuristics.Signal{
		Polarity: heuristics.DSAT,
		Category: heuristics.Complaint,
		Score:    0.7,
		// Evidence spans are byte offsets into the follow-up.
		Evidence: []heuristics.Span{{Start: loc[0], End: loc[1], Text: m}},
		Detector: "traceback",
		Cue:      "error output " + strings.TrimSpace(m),
	})
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: customdetector LOGFILE")
		os.Exit(2)
	}
	r, err := conversation.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	cfg := dsat.DefaultConfig()
	cfg.Detectors = []heuristics.Detector{tracebackDetector{}}
	m, err := dsat.NewMiner(cfg)
	if err != nil {
		log.Fatal(err)
	}

	// Mine conversation by conversation and print the events our detector
	// took part in.
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	ctx := context.Background()
	for c, err := range r.All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		res, err := m.Mine(ctx, c)
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range res.Events {
			for _, ev := range e.Evidence {
				if ev.Detector == "traceback" {
					fmt.Fprintf(out, "%s turn %d: %s %v score %.2f (%q)\n", e.ConversationID, e.Turn, e.Kind, e.Categories, e.Score, ev.Text)
					break
				}
			}
		}
	}
}
