package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Build a pipeline over two log files, run it (here on the test runner,
// prism; a program calls beamx.Run) and read the merged statistics.
func ExampleBuild() {
	dir, err := os.MkdirTemp("", "beam-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	opts := Options{
		Inputs:  []string{"../../testdata/sample/wildchat-sample.jsonl", "../../testdata/sample/openai-sample.jsonl"},
		Anchors: filepath.Join(dir, "anchors.jsonl"),
		Stats:   filepath.Join(dir, "stats.json"),
		Export:  export.FormatTRL,
		Policy:  DefaultPolicy(),
	}
	p, s := beam.NewPipelineWithRoot()
	if err := Build(context.Background(), s, opts); err != nil {
		log.Fatal(err)
	}
	if err := ptest.Run(p); err != nil {
		log.Fatal(err)
	}

	b, err := os.ReadFile(opts.Stats)
	if err != nil {
		log.Fatal(err)
	}
	var st dsat.Stats
	if err := jsonx.Unmarshal(b, &st); err != nil {
		log.Fatal(err)
	}
	fmt.Println("records:", st.Records, "balanced:", st.Accounting.Balanced)
	fmt.Println("every TRL anchor has a chosen reply:", st.Anchors == st.Pairs && st.Anchors > 0)
	// Output:
	// records: 82 balanced: true
	// every TRL anchor has a chosen reply: true
}
