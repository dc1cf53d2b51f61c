package report_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/report"
)

const logs = `{"id":"c1","messages":[{"role":"user","content":"Write a haiku about the sea."},{"role":"assistant","content":"The sea is very big and blue."},{"role":"user","content":"That's not a haiku. Try again."},{"role":"assistant","content":"Waves fold into foam / salt wind carries gull voices / the tide keeps its time"},{"role":"user","content":"Perfect, thank you!"}]}
{"id":"c2","messages":[{"role":"user","content":"What is the capital of France?"},{"role":"assistant","content":"Paris."},{"role":"user","content":"And of Spain?"},{"role":"assistant","content":"Madrid."}]}
`

// Mine chat logs and write the report. WriteHTML writes the same figures
// as a self-contained page.
func ExampleAggregator_Mine() {
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	in := conversation.NewReader(strings.NewReader(logs), "logs.jsonl")
	agg := report.NewAggregator(report.DefaultOptions())
	if _, err := agg.Mine(context.Background(), m, []dsat.Input{in}); err != nil {
		log.Fatal(err)
	}
	r := agg.Report()
	s := r.Summary
	fmt.Printf("%d follow-ups, %d DSAT (%.0f%%, 95%% CI %.0f%%–%.0f%%), %d SAT\n",
		s.FollowUps, s.DSATEvents, 100*s.DSATRate.Rate, 100*s.DSATRate.Low, 100*s.DSATRate.High, s.SATEvents)
	for _, sm := range r.Samples {
		fmt.Printf("sample %s: %q\n", sm.ConversationID, sm.FollowUp)
		for _, mk := range sm.Marks {
			fmt.Printf("  evidence %q\n", sm.FollowUp[mk.Start:mk.End])
		}
	}
	// Output:
	// 3 follow-ups, 1 DSAT (33%, 95% CI 6%–79%), 1 SAT
	// sample c1: "That's not a haiku. Try again."
	//   evidence "That's not a"
	//   evidence "Try again"
}

// Build a report from the files "dsatmine mine --events --stats -o" wrote.
func ExampleAggregator_ReadEvents() {
	events := `{"conversation_id":"c1","kind":"dsat","follow_up":2,"reply":1,"request":0,"turn":2,"categories":["complaint"],"score":0.8,"detector":"lexicon","detector_version":"v1"}
{"conversation_id":"c2","kind":"sat","follow_up":4,"reply":3,"request":2,"turn":4,"score":0.9,"detector":"lexicon","detector_version":"v1"}
`
	stats := `{"records": 2, "conversations": 2, "follow_ups": 5, "dsat_events": 1, "sat_events": 1, "events": {"complaint": 1}}`

	agg := report.NewAggregator(report.DefaultOptions())
	if err := agg.ReadEvents(context.Background(), strings.NewReader(events), "events.jsonl"); err != nil {
		log.Fatal(err)
	}
	st, err := report.ReadStats(strings.NewReader(stats), "stats.json")
	if err != nil {
		log.Fatal(err)
	}
	agg.SetStats(st)
	r := agg.Report()
	for _, c := range r.Categories[:3] {
		fmt.Printf("%s: %d of %d follow-ups\n", c.Name, c.DSATRate.K, c.DSATRate.N)
	}
	var page strings.Builder
	if err := r.WriteHTML(&page); err != nil { // r.WriteJSON writes the same figures
		log.Fatal(err)
	}
	fmt.Println(strings.Contains(page.String(), "<svg"), strings.Contains(page.String(), "<script"))
	// Output:
	// refinement: 0 of 5 follow-ups
	// correction: 0 of 5 follow-ups
	// complaint: 1 of 5 follow-ups
	// true false
}
