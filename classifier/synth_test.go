package classifier

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/labelled"
)

// Synthetic labelled conversations for tests. The phrasings are our own.
var (
	synthRequests = []string{
		"Write a Python function that reverses a linked list.",
		"How do I convert a string to an integer in Go?",
		"Give me a short poem about autumn leaves.",
		"Summarise the causes of the French revolution.",
		"What is the capital of Australia?",
		"Draft an email asking my landlord to fix the heating.",
		"Explain how TCP congestion control works.",
		"Suggest three names for a bakery.",
	}
	synthReplies = []string{
		"Sure! Here is one way to do it:\n```\nfunc f() {}\n```\nLet me know if you need more help.",
		"The answer is Sydney, which is the largest city.",
		"Here is a draft. It covers the main points you asked about.",
		"There are several factors to consider. First, the economy. Second, politics.",
	}
	synthComplaints = []string{
		"That's wrong, it doesn't work at all.",
		"This is useless, you didn't answer my question.",
		"that makes no sense",
		"Not what I asked for.",
		"your code throws an error, it is broken",
		"wrong again. this is not helpful",
	}
	synthRefinements = []string{
		"Try again please.",
		"write another one",
		"Can you redo that, it missed the point",
		"please regenerate the answer",
	}
	synthCorrections = []string{
		"No, I meant Canberra, not Sydney.",
		"I said Go, not Java.",
		"Actually it should be the capital, which is Canberra.",
	}
	synthPreferences = []string{
		"Make it shorter.",
		"Can you put that in bullet points?",
		"More formal please.",
		"only the code, no explanation",
	}
	synthThanks = []string{
		"Thanks, that works perfectly!",
		"Great, thank you so much.",
		"perfect, exactly what I needed",
		"Awesome, that solved it. Thanks!",
	}
	synthNeutral = []string{
		"Now how would I write tests for it?",
		"What about the second part of the project?",
		"Next, can you explain how the scheduler decides which task runs first in this design?",
		"Ok. And how does this compare with the approach used by the standard library?",
		"Here is my next file, please review it as well.",
	}
)

// synthLabelled returns n labelled conversations built from the phrase
// lists above with a fixed seed.
func synthLabelled(n int, seed uint64) []labelled.Record {
	rng := rand.New(rand.NewPCG(seed, 42))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	out := make([]labelled.Record, n)
	for i := range out {
		l := labelled.Record{ID: fmt.Sprintf("synth-%03d", i), Source: "synthetic"}
		req := pick(synthRequests)
		l.Messages = append(l.Messages,
			conversation.Message{Role: conversation.User, Content: req},
			conversation.Message{Role: conversation.Assistant, Content: pick(synthReplies)})
		turns := 1 + rng.IntN(3)
		for range turns {
			var lb labelled.Label
			var text string
			switch k := rng.IntN(7); k {
			case 0:
				text, lb = pick(synthComplaints), labelled.Label{DSAT: true, Categories: []string{"complaint"}}
			case 1:
				text, lb = pick(synthRefinements), labelled.Label{DSAT: true, Categories: []string{"refinement"}}
			case 2:
				text, lb = pick(synthCorrections), labelled.Label{DSAT: true, Categories: []string{"correction"}}
			case 3:
				text, lb = pick(synthPreferences), labelled.Label{DSAT: true, Categories: []string{"preference"}}
			case 4:
				text, lb = pick(synthThanks), labelled.Label{SAT: true}
			default:
				text = pick(synthNeutral)
			}
			lb.Turn = len(l.Messages)
			l.Labels = append(l.Labels, lb)
			l.Messages = append(l.Messages,
				conversation.Message{Role: conversation.User, Content: text},
				conversation.Message{Role: conversation.Assistant, Content: pick(synthReplies)})
		}
		out[i] = l
	}
	return out
}

// synthSignals is a tiny stand-in for the heuristics engine: it flags a few
// obvious cues so that heuristic features are exercised.
func synthSignals(t *heuristics.Turn) []heuristics.Signal {
	l := strings.ToLower(t.Text())
	var out []heuristics.Signal
	if strings.Contains(l, "wrong") || strings.Contains(l, "useless") {
		out = append(out, heuristics.Signal{Polarity: heuristics.DSAT, Category: heuristics.Complaint, Score: 0.8, Detector: "synth"})
	}
	if strings.Contains(l, "thank") {
		out = append(out, heuristics.Signal{Polarity: heuristics.SAT, Score: 0.9, Detector: "synth"})
	}
	return out
}

func synthExamples(n int, seed uint64, sig SignalFunc) []Example {
	var out []Example
	for _, l := range synthLabelled(n, seed) {
		ex, err := ExamplesFromLabelled(&l, sig)
		if err != nil {
			panic(err)
		}
		for i := range ex {
			ex[i].Set = "synth"
		}
		out = append(out, ex...)
	}
	return out
}

// turnOf builds a Turn for a two-exchange conversation ending in followUp.
func turnOf(request, reply, followUp string) *heuristics.Turn {
	c := &conversation.Conversation{ID: "t", Messages: []conversation.Message{
		{Role: conversation.User, Content: request, Index: 0},
		{Role: conversation.Assistant, Content: reply, Index: 1},
		{Role: conversation.User, Content: followUp, Index: 2},
	}}
	return heuristics.NewTurn(c, 2)
}
