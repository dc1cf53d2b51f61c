package dsat

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/dsatmine/dsatmine/bench/realcorpus"
	"github.com/dsatmine/dsatmine/bench/wildchat"
	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/shareddata"
)

func wildchatCorpus(b *testing.B, size int64) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := wildchat.Generate(&buf, size, 1); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkMineWildChat mines the conversations of the WildChat-like
// benchmark corpus, decoded beforehand: one op is one conversation.
func BenchmarkMineWildChat(b *testing.B) {
	r := conversation.NewReader(bytes.NewReader(wildchatCorpus(b, 4<<20)), "bench.jsonl")
	var convs []*conversation.Conversation
	for {
		c, err := r.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		convs = append(convs, c)
	}
	m, err := NewMiner(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := m.Mine(context.Background(), convs[i%len(convs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRunWildChat is a whole run from JSON Lines bytes to anchors and
// events (decode, mine, dedup, encode) with 1 and 2 workers, without and
// with the embedded classifier. Bytes are input bytes, comparable with
// conversation.BenchmarkDecodeWildChat.
func BenchmarkRunWildChat(b *testing.B) {
	data := wildchatCorpus(b, 8<<20)
	clf, err := classifier.Default()
	if err != nil {
		b.Fatal(err)
	}
	benchRuns(b, data, "bench.jsonl", clf)
}

// BenchmarkRunRealShareGPT is BenchmarkRunWildChat on real chat text: the
// ShareGPT sample of ../shared/data/real written 3 times as JSON Lines with
// fresh ids (bench/realcorpus; `make bench` uses 18 copies). Skipped when
// the external data is absent.
func BenchmarkRunRealShareGPT(b *testing.B) {
	src, err := os.ReadFile(shareddata.Require(b, "real/sharegpt-sample.json"))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := realcorpus.Build(&buf, src, 3); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	clf, err := classifier.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r := conversation.NewReader(bytes.NewReader(data), "real.jsonl")
			for {
				_, err := r.Next(context.Background())
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	benchRuns(b, data, "real.jsonl", clf)
}

// benchRuns runs whole runs over data (named name) with 1 and 2 workers,
// without and with classifier clf, one sub-benchmark each.
func benchRuns(b *testing.B, data []byte, name string, clf classifier.Classifier) {
	for _, withClf := range []bool{false, true} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("classifier=%v/workers=%d", withClf, workers), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Workers = workers
				if withClf {
					cfg.Classifier = clf
				}
				m, err := NewMiner(cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					r := conversation.NewReader(bytes.NewReader(data), name)
					_, err := m.Run(context.Background(), []Input{r}, Sinks{
						Anchors: newLineSink(io.Discard), Events: newLineSink(io.Discard),
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
