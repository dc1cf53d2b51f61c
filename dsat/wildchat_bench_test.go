package dsat

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
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
	benchRuns(b, int64(len(data)), func() *conversation.Reader {
		return conversation.NewReader(bytes.NewReader(data), "bench.jsonl")
	}, clf)
}

// BenchmarkRunRealShareGPT is BenchmarkRunWildChat on real chat text: the
// ShareGPT sample of ../shared/data/real written 3 times as JSON Lines with
// fresh ids (bench/realcorpus; `make bench` uses 18 copies), read from a
// file as the CLI reads it. The parquet/ sub-benchmarks read the same
// records from a Parquet file (columns id and conversations, row groups of
// 1,000 rows); their MB/s count the JSON Lines bytes, so that the two
// compare. Skipped when the external data is absent.
func BenchmarkRunRealShareGPT(b *testing.B) {
	src := shareddata.Require(b, "real/sharegpt-sample.json")
	dir := b.TempDir()
	jsonl, pq := filepath.Join(dir, "real.jsonl"), filepath.Join(dir, "real.parquet")
	size, err := realcorpus.BuildFile(jsonl, src, 3)
	if err != nil {
		b.Fatal(err)
	}
	if err := realcorpus.BuildParquetFile(pq, src, 3, 1000); err != nil {
		b.Fatal(err)
	}
	clf, err := classifier.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range []struct{ prefix, path string }{{"", jsonl}, {"parquet/", pq}} {
		open := func() *conversation.Reader {
			r, err := conversation.Open(in.path)
			if err != nil {
				b.Fatal(err)
			}
			return r
		}
		b.Run(in.prefix+"decode", func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				r := open()
				for {
					_, err := r.Next(context.Background())
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				r.Close()
			}
		})
		if in.prefix == "" {
			benchRuns(b, size, open, clf)
		} else {
			b.Run("parquet", func(b *testing.B) { benchRuns(b, size, open, clf) })
		}
	}
}

// benchRuns runs whole runs over the input open returns (size bytes) with 1
// and 2 workers, without and with classifier clf, one sub-benchmark each.
func benchRuns(b *testing.B, size int64, open func() *conversation.Reader, clf classifier.Classifier) {
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
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					r := open()
					_, err := m.Run(context.Background(), []Input{r}, Sinks{
						Anchors: newLineSink(io.Discard), Events: newLineSink(io.Discard),
					})
					r.Close()
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
