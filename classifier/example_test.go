package classifier_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

func conv(followUp string) *conversation.Conversation {
	return &conversation.Conversation{ID: "demo", Messages: []conversation.Message{
		{Role: conversation.User, Content: "Write a haiku about the sea."},
		{Role: conversation.Assistant, Content: "Waves fold into foam / salt wind carries gull voices / the tide keeps its time"},
		{Role: conversation.User, Content: followUp, Index: 2},
	}}
}

// The embedded default model scores a follow-up in context. The heuristic
// signals of the turn are passed in as features.
func ExampleDefault() {
	m, err := classifier.Default()
	if err != nil {
		log.Fatal(err)
	}
	eng := heuristics.Default()
	score := func(text string) classifier.Prediction {
		t := heuristics.NewTurn(conv(text), 2)
		p, err := m.Classify(context.Background(), t, eng.Analyze(t).Signals)
		if err != nil {
			log.Fatal(err)
		}
		return p
	}
	complaint := score("That's not a haiku at all, it's wrong. Useless.")
	thanks := score("Lovely, thank you!")
	fmt.Println(m.Name(), complaint.DSAT > thanks.DSAT, thanks.SAT > complaint.SAT)
	// Output: logreg true true
}

// Train fits a model on labelled examples; CrossValidate reports how it
// does on conversations it was not trained on.
func ExampleTrain() {
	const data = `{"id":"a","messages":[{"role":"user","content":"Name a prime."},{"role":"assistant","content":"Nine."},{"role":"user","content":"That's wrong."}],"labels":[{"turn":2,"dsat":true,"categories":["complaint"]}]}
{"id":"b","messages":[{"role":"user","content":"Name a prime."},{"role":"assistant","content":"Seven."},{"role":"user","content":"Thanks!"}],"labels":[{"turn":2,"sat":true}]}
{"id":"c","messages":[{"role":"user","content":"Name a colour."},{"role":"assistant","content":"Blue."},{"role":"user","content":"That is wrong, wrong!"}],"labels":[{"turn":2,"dsat":true,"categories":["complaint"]}]}
{"id":"d","messages":[{"role":"user","content":"Name a colour."},{"role":"assistant","content":"Red."},{"role":"user","content":"Thanks, great."}],"labels":[{"turn":2,"sat":true}]}`
	ctx := context.Background()
	examples, err := classifier.ReadExamples(ctx, strings.NewReader(data), "demo.jsonl", nil)
	if err != nil {
		log.Fatal(err)
	}
	m, err := classifier.Train(ctx, examples, classifier.TrainOptions{Features: classifier.FeatureConfig{HashBits: 12}})
	if err != nil {
		log.Fatal(err)
	}
	p := m.Predict(heuristics.NewTurn(conv("wrong"), 2), nil)
	fmt.Println(len(examples), p.DSAT > 0.5)

	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		log.Fatal(err)
	}
	loaded, err := classifier.Load(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loaded.Info().Examples)
	// Output:
	// 4 true
	// 4
}

func ExampleCrossValidate() {
	var examples []classifier.Example
	for i := range 12 {
		text, dsat := "Thanks, that works!", false
		if i%2 == 0 {
			text, dsat = "No, that is wrong.", true
		}
		c := conv(text)
		c.ID = fmt.Sprint("c", i)
		examples = append(examples, classifier.Example{Turn: heuristics.NewTurn(c, 2), DSAT: dsat, SAT: !dsat})
	}
	rep, err := classifier.CrossValidate(context.Background(), examples, 3, classifier.TrainOptions{Features: classifier.FeatureConfig{HashBits: 12}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d folds, %d conversations, DSAT F1 %.2f\n", rep.Folds, rep.Conversations, rep.CV.DSAT.F1)
	// Output: 3 folds, 12 conversations, DSAT F1 1.00
}

// Rule merges a classifier verdict with heuristic category scores the way
// the miner does: a confident DSAT raises the most likely category to at
// least 0.5, a confident "not DSAT" lowers weak heuristic hits.
func ExampleRule_Combine() {
	rule := classifier.Rule{Threshold: 0.6, Veto: 0.2}
	heur := map[heuristics.Category]float64{heuristics.Refinement: 0.7}

	// The classifier is sure the follow-up is a correction.
	sure := classifier.Prediction{DSAT: 0.8, Categories: map[heuristics.Category]float64{
		heuristics.Correction: 0.6, heuristics.Complaint: 0.2,
	}}
	c := rule.Combine(heur, 0, sure)
	fmt.Printf("raised %v: correction %.2f, complaint %.2f, refinement %.2f\n",
		c.Raised, c.Scores[heuristics.Correction], c.Scores[heuristics.Complaint], c.Scores[heuristics.Refinement])

	// The classifier is sure it is not dissatisfaction: 0.7 × 0.05/0.2.
	c = rule.Combine(heur, 0, classifier.Prediction{DSAT: 0.05, SAT: 0.9})
	fmt.Printf("lowered %v: refinement %.3f, SAT %.1f\n", c.Lowered, c.Scores[heuristics.Refinement], c.SAT)
	// Output:
	// raised [correction complaint]: correction 0.75, complaint 0.25, refinement 0.70
	// lowered true: refinement 0.175, SAT 0.9
}
