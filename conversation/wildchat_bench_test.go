package conversation

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/dsatmine/dsatmine/bench/wildchat"
)

// benchCorpus generates size bytes of the WildChat-like benchmark corpus.
func benchCorpus(b *testing.B, size int64) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := wildchat.Generate(&buf, size, 1); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecodeWildChat is the decode floor of a mining run: read and
// decode WildChat-layout records into conversations, nothing else. Bytes
// are input bytes; conv/s counts conversations.
func BenchmarkDecodeWildChat(b *testing.B) {
	data := benchCorpus(b, 8<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var convs int
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.jsonl")
		for {
			_, err := r.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			convs++
		}
	}
	b.ReportMetric(float64(convs)/b.Elapsed().Seconds(), "conv/s")
}
