package heuristics

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/dsatmine/dsatmine/bench/wildchat"
	"github.com/dsatmine/dsatmine/conversation"
)

// BenchmarkAnalyzeWildChat runs the engine on every follow-up of the
// WildChat-like benchmark corpus: one op is one follow-up; bytes are the
// follow-up, reply and request text it looks at.
func BenchmarkAnalyzeWildChat(b *testing.B) {
	var buf bytes.Buffer
	if _, err := wildchat.Generate(&buf, 4<<20, 1); err != nil {
		b.Fatal(err)
	}
	r := conversation.NewReader(&buf, "bench.jsonl")
	var turns []*Turn
	var text int64
	for {
		c, err := r.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		for _, i := range c.FollowUps() {
			t := NewTurn(c, i)
			turns = append(turns, t)
			text += int64(len(t.Text()) + len(t.ReplyText()) + len(t.RequestText()))
		}
	}
	e := Default()
	b.SetBytes(text / int64(len(turns)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Analyze(turns[i%len(turns)])
		i++
	}
}
