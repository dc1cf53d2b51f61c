package heuristics_test

import (
	"fmt"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

func ExampleEngine_Analyze() {
	conv := &conversation.Conversation{
		Language: "English",
		Messages: []conversation.Message{
			{Role: conversation.User, Content: "How heavy is a standard laptop?"},
			{Role: conversation.Assistant, Content: "A standard laptop weighs about 4 kg."},
			{Role: conversation.User, Content: "Thanks, but that’s wrong. It’s actually about 1.6 kg."},
		},
	}
	a := heuristics.Default().Analyze(heuristics.NewTurn(conv, 2))
	fmt.Printf("DSAT %.2f, categories %v\n", a.DSAT, a.Categories(0.5))
	for _, s := range a.Signals {
		if s.Polarity == heuristics.DSAT {
			fmt.Printf("%s %q\n", s.Category, s.Evidence[0].Text)
		}
	}
	// Output:
	// DSAT 0.85, categories [correction complaint]
	// complaint "that’s wrong"
	// correction "It’s actually"
}

func ExampleCombine() {
	scores, sat := heuristics.Combine([]heuristics.Signal{
		{Category: heuristics.Preference, Score: 0.4},
		{Category: heuristics.Preference, Score: 0.5},
		{Polarity: heuristics.SAT, Score: 0.7},
	})
	fmt.Printf("preference %.2f, sat %.2f\n", scores[heuristics.Preference], sat)
	// Output: preference 0.70, sat 0.70
}

// A follow-up without a single cue word becomes DSAT when the assistant's
// next reply concedes; the evidence is the follow-up's opening.
func ExampleEngine_Analyze_concession() {
	conv := &conversation.Conversation{
		Messages: []conversation.Message{
			{Role: conversation.User, Content: "Who owns the winery?"},
			{Role: conversation.Assistant, Content: "Fernando Garcia was a consultant winemaker there before buying it."},
			{Role: conversation.User, Content: "He was never a consultant there."},
			{Role: conversation.Assistant, Content: "My apologies for the mistake in my previous response. He bought it in 2010."},
		},
	}
	a := heuristics.Default().Analyze(heuristics.NewTurn(conv, 2))
	for _, s := range a.Signals {
		fmt.Printf("%s %.2f %s: %q\n", s.Category, s.Score, s.Detector, s.Evidence[0].Text)
	}
	// Output:
	// complaint 0.60 concession: "He was never a consultant there."
}
