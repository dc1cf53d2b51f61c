package dsat

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
)

// loadSample reads a bundled sample log into memory.
func loadSample(b *testing.B, path string) []*conversation.Conversation {
	b.Helper()
	r, err := conversation.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var convs []*conversation.Conversation
	for {
		c, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return convs
		}
		if err != nil {
			b.Fatal(err)
		}
		convs = append(convs, c)
	}
}

func benchmarkMine(b *testing.B, cfg Config) {
	convs := loadSample(b, "../testdata/sample/wildchat-sample.jsonl")
	m, err := NewMiner(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, c := range convs {
		for _, msg := range c.Messages {
			bytes += int64(len(msg.Content))
		}
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		for _, c := range convs {
			if _, err := m.Mine(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkMine measures mining the bundled WildChat sample (bytes are
// message text).
func BenchmarkMine(b *testing.B) { benchmarkMine(b, DefaultConfig()) }

// BenchmarkMineTokenBudget adds a cl100k prompt and total budget.
func BenchmarkMineTokenBudget(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Tokens = &TokenBudget{MaxPromptTokens: 1024, MaxTotalTokens: 2048}
	benchmarkMine(b, cfg)
}
