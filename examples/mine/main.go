// Command mine is a minimal program that mines one chat-log file with the
// dsat library and prints its anchors as JSON Lines on standard output.
//
//	go run ./examples/mine testdata/sample/sharegpt-sample.json
package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mine LOGFILE")
		os.Exit(2)
	}
	// Open any supported format (detected from the first record), plain or
	// gzip/zstd-compressed.
	r, err := conversation.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	// The defaults follow docs/taxonomy.md: per-category thresholds of 0.5, doubt
	// anchors at a lower score, no pushback anchors, dedup on.
	cfg := dsat.DefaultConfig()
	cfg.Tokens = &dsat.TokenBudget{Encoding: dsat.EncodingCL100k, MaxPromptTokens: 1024, MaxTotalTokens: 2048}
	m, err := dsat.NewMiner(cfg)
	if err != nil {
		log.Fatal(err)
	}

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	st, err := m.Run(context.Background(), []dsat.Input{r}, dsat.Sinks{
		Anchors: export.NewAnchorWriter(out, export.FormatDRIFT),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "%d conversations, %d follow-ups, %d DSAT events, %d anchors (%d with chosen)\n",
		st.Conversations, st.FollowUps, st.DSATEvents, st.Anchors, st.Pairs)
}
