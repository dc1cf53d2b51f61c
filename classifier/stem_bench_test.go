package classifier

import (
	"testing"

	"github.com/dsatmine/dsatmine/internal/shareddata"
)

// BenchmarkStemSets computes both stem sets of every message of the real
// ShareGPT sample (one op is the whole sample).
func BenchmarkStemSets(b *testing.B) {
	turns, _ := corpusTurns(b, shareddata.Require(b, "real/sharegpt-sample.json"))
	var texts []string
	seen := map[string]bool{}
	for _, t := range turns {
		for _, m := range t.Conv.Messages {
			if !seen[m.Content] {
				seen[m.Content] = true
				texts = append(texts, m.Content)
			}
		}
	}
	b.ReportAllocs()
	var set, pre stemBits
	for b.Loop() {
		for _, s := range texts {
			stemSets(s, cut(s, replySimWindow), &set, &pre)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/message")
}
