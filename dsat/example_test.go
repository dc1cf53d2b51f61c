package dsat_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
)

func ExampleMiner_Mine() {
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	c := &conversation.Conversation{
		ID:     "demo-1",
		Source: "example",
		Messages: []conversation.Message{
			{Role: conversation.System, Content: "You are a coding assistant."},
			{Role: conversation.User, Content: "Show me how to reverse a list in Python."},
			{Role: conversation.Assistant, Content: "In Java you can call Collections.reverse(list)."},
			{Role: conversation.User, Content: "That's wrong, I said Python, not Java."},
			{Role: conversation.Assistant, Content: "Sorry! In Python: my_list.reverse() or my_list[::-1]."},
			{Role: conversation.User, Content: "Perfect, thanks!"},
		},
	}
	for i := range c.Messages {
		c.Messages[i].Index = i
	}
	res, err := m.Mine(context.Background(), c)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range res.Events {
		fmt.Printf("turn %d: %s\n", e.Turn, e.Kind)
	}
	for _, a := range res.Anchors {
		fmt.Println("prompt ends with:", a.Prompt[len(a.Prompt)-1].Content)
		fmt.Println("rejected:", a.Rejected[0].Content)
		fmt.Println("feedback:", a.UserPreference.Content)
		fmt.Println("chosen:", a.Chosen[0].Content)
	}
	// Output:
	// turn 3: dsat
	// turn 5: sat
	// prompt ends with: Show me how to reverse a list in Python.
	// rejected: In Java you can call Collections.reverse(list).
	// feedback: That's wrong, I said Python, not Java.
	// chosen: Sorry! In Python: my_list.reverse() or my_list[::-1].
}

func ExampleMiner_Run() {
	logs := `{"id":"a","messages":[{"role":"user","content":"Translate 'good morning' to French."},{"role":"assistant","content":"Buenos días."},{"role":"user","content":"No, that's Spanish. I asked for French."},{"role":"assistant","content":"Bonjour."},{"role":"user","content":"Great, thank you!"}]}
{"id":"b","messages":[{"role":"user","content":"What is 2+2?"},{"role":"assistant","content":"4"}]}
`
	r := conversation.NewReader(strings.NewReader(logs), "logs.jsonl")
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	// TRL's conversational preference layout: only anchors with a chosen reply.
	st, err := m.Run(context.Background(), []dsat.Input{r}, dsat.Sinks{
		Anchors: export.NewAnchorWriter(os.Stdout, export.FormatTRL),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("records %d, conversations %d (%d mined), anchors %d, pairs %d\n",
		st.Records, st.Conversations, st.ConversationsMined, st.Anchors, st.Pairs)
	// Output:
	// {"prompt":[{"role":"user","content":"Translate 'good morning' to French."}],"chosen":[{"role":"assistant","content":"Bonjour."}],"rejected":[{"role":"assistant","content":"Buenos días."}]}
	// records 2, conversations 2 (1 mined), anchors 1, pairs 1
}
