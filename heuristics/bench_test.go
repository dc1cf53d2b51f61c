package heuristics

import (
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
)

// BenchmarkAnalyze measures throughput in bytes of follow-up text.
func BenchmarkAnalyze(b *testing.B) {
	followUps := []string{
		"That's not what I asked. I wanted the answer in Python, not Java. Can you try again and make it shorter?",
		"Thanks, this works great! Now can you add a function that reads the file line by line and counts the words?",
		"Here is the error I get:\nTraceback (most recent call last):\n  File \"main.py\", line 3\nNameError: name 'x' is not defined",
		strings.Repeat("I have pasted the second chapter of my essay below so that you can review the structure and the arguments. ", 8),
	}
	reply := "Sure! Here is the code:\n```python\nwith open(path) as f:\n    print(f.read())\n```\nLet me know if you have questions."
	var turns []*Turn
	total := 0
	for _, f := range followUps {
		c := &conversation.Conversation{Messages: []conversation.Message{
			{Role: conversation.User, Content: "Write a Java program that prints a file and explain how it works."},
			{Role: conversation.Assistant, Content: reply},
			{Role: conversation.User, Content: f},
		}}
		turns = append(turns, NewTurn(c, 2))
		total += len(f)
	}
	e := Default()
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, t := range turns {
			e.Analyze(t)
		}
	}
}

// BenchmarkMatcher measures the raw Aho-Corasick scan over normalised text.
func BenchmarkMatcher(b *testing.B) {
	e := Default()
	text := []byte(strings.Repeat("the quarterly report lists revenue by region, and the team reviewed it on monday. ", 200))
	var dst []acMatch
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		dst = e.fu.scan(text, dst[:0])
	}
}
