package classifier

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/shareddata"
)

func benchTurn() *heuristics.Turn {
	req := "Write a Go function that parses a CSV file and returns the rows as structs, skipping the header line."
	reply := "Here is a function that does that:\n```go\nfunc parse(r io.Reader) ([]Row, error) {\n\tcr := csv.NewReader(r)\n\trecs, err := cr.ReadAll()\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn toRows(recs[1:]), nil\n}\n```\n" +
		strings.Repeat("It reads all records, drops the header and converts each record. ", 8)
	follow := "This doesn't compile, toRows is not defined and you ignored that I asked for streaming. Can you fix it?"
	return turnOf(req, reply, follow)
}

func benchBytes(t *heuristics.Turn) int64 {
	return int64(len(t.Text()) + len(t.ReplyText()) + len(t.RequestText()))
}

// BenchmarkClassify measures the embedded default model on one follow-up in
// context; bytes are the follow-up, reply and request.
func BenchmarkClassify(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	t := benchTurn()
	sig := heuristics.Default().Analyze(t).Signals
	ctx := context.Background()
	b.SetBytes(benchBytes(t))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Classify(ctx, t, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredict is Classify without building the Prediction map.
func BenchmarkPredict(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	t := benchTurn()
	sig := heuristics.Default().Analyze(t).Signals
	b.SetBytes(benchBytes(t))
	b.ReportAllocs()
	for b.Loop() {
		m.Predict(t, sig)
	}
}

// BenchmarkHeuristicsAnalyze is the reference cost of the heuristics engine
// on the same turn, for comparing the classifier's overhead.
func BenchmarkHeuristicsAnalyze(b *testing.B) {
	eng := heuristics.Default()
	t := benchTurn()
	b.SetBytes(benchBytes(t))
	b.ReportAllocs()
	for b.Loop() {
		eng.Analyze(t)
	}
}

// sampleTurns returns every follow-up of the bundled WildChat sample with
// the default engine's signals.
func sampleTurns(b *testing.B) ([]*heuristics.Turn, [][]heuristics.Signal) {
	b.Helper()
	r, err := conversation.Open("../testdata/sample/wildchat-sample.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	eng := heuristics.Default()
	var turns []*heuristics.Turn
	var sigs [][]heuristics.Signal
	for {
		c, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return turns, sigs
		}
		if err != nil {
			b.Fatal(err)
		}
		for _, i := range c.FollowUps() {
			t := heuristics.NewTurn(c, i)
			turns = append(turns, t)
			sigs = append(sigs, eng.Analyze(t).Signals)
		}
	}
}

// BenchmarkPredictSample scores every follow-up of the bundled WildChat
// sample (one op is the whole sample).
func BenchmarkPredictSample(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	turns, sigs := sampleTurns(b)
	b.ReportAllocs()
	for b.Loop() {
		for i, t := range turns {
			m.Predict(t, sigs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(turns)), "ns/turn")
}

// BenchmarkHeuristicsAnalyzeSample is the heuristics engine on the same turns.
func BenchmarkHeuristicsAnalyzeSample(b *testing.B) {
	eng := heuristics.Default()
	turns, _ := sampleTurns(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range turns {
			eng.Analyze(t)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(turns)), "ns/turn")
}

// corpusTurns returns every follow-up of the given files with the default
// engine's signals.
func corpusTurns(tb testing.TB, files ...string) ([]*heuristics.Turn, [][]heuristics.Signal) {
	tb.Helper()
	eng := heuristics.Default()
	var turns []*heuristics.Turn
	var sigs [][]heuristics.Signal
	for _, f := range files {
		r, err := conversation.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		for c, err := range r.All(context.Background()) {
			if err != nil {
				tb.Fatal(err)
			}
			for _, i := range c.FollowUps() {
				t := heuristics.NewTurn(c, i)
				turns = append(turns, t)
				sigs = append(sigs, eng.Verdict(t).Signals)
			}
		}
		if err := r.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return turns, sigs
}

// BenchmarkPredictRealShareGPT scores every follow-up of the real ShareGPT
// sample of ../shared/data/real (one op is the whole sample), in
// conversation order as the miner does. Skipped when the data is absent.
func BenchmarkPredictRealShareGPT(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	turns, sigs := corpusTurns(b, shareddata.Require(b, "real/sharegpt-sample.json"))
	n := int64(0)
	for _, t := range turns {
		n += int64(len(t.Text()))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		for i, t := range turns {
			if _, err := m.Classify(ctx, t, sigs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(turns)), "ns/turn")
}
