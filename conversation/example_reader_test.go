package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dsatmine/dsatmine/conversation"
)

func ExampleReader() {
	logs := `{"id":"a","conversations":[{"from":"human","value":"Name a prime."},{"from":"gpt","value":"Nine."},{"from":"human","value":"Nine is not prime."}]}
{"id":"b","conversations":[{"from":"robot","value":"beep"}]}
{"id":"c","conversations":[{"from":"human","value":"Hi!"},{"from":"gpt","value":"Hello."}]}
`
	r := conversation.NewReader(strings.NewReader(logs), "chats.jsonl")
	defer r.Close()
	r.OnSkip = func(err *conversation.ParseError) { fmt.Println("skipped:", err) }
	for c, err := range r.All(context.Background()) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("%s (%s): %d messages, follow-ups at %v\n", c.ID, c.Source, len(c.Messages), c.FollowUps())
	}
	st := r.Stats()
	fmt.Println("records:", st.Records, "conversations:", st.Conversations, "skipped:", st.Skipped)
	// Output:
	// a (sharegpt): 3 messages, follow-ups at [2]
	// skipped: chats.jsonl:2: unknown_role: role "robot" is not system, user, assistant or tool (nor a known alias): unknown role
	// c (sharegpt): 2 messages, follow-ups at []
	// records: 3 conversations: 2 skipped: map[unknown_role:1]
}

func ExampleReader_strict() {
	logs := "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n{\"messages\": [\n"
	r := conversation.NewReader(strings.NewReader(logs), "chats.jsonl")
	r.Strict = true
	for {
		c, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *conversation.ParseError
		if errors.As(err, &pe) {
			fmt.Println("bad record at line", pe.Line, "reason", pe.Reason)
			break
		}
		fmt.Println(c.ID, c.Messages[0].Content)
	}
	// Output:
	// chats.jsonl:1 hi
	// bad record at line 2 reason invalid_json
}

func ExampleWriter() {
	w := conversation.NewWriter(os.Stdout)
	c := &conversation.Conversation{
		ID:        "wc-1",
		Source:    "wildchat",
		Model:     "gpt-4",
		Timestamp: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Metadata:  map[string]any{"turn": 1, "country": "Chile"},
		Messages: []conversation.Message{
			{Role: conversation.User, Content: "¿Qué hora es?"},
			{Role: conversation.Assistant, Content: "No tengo reloj."},
		},
	}
	if err := w.Write(c); err != nil {
		fmt.Println(err)
	}
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"id":"wc-1","source":"wildchat","model":"gpt-4","timestamp":"2024-01-02T03:04:05Z","metadata":{"country":"Chile","turn":1},"messages":[{"role":"user","content":"¿Qué hora es?"},{"role":"assistant","content":"No tengo reloj."}]}
}
