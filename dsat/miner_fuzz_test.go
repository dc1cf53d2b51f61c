package dsat

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// FuzzMine mines arbitrary conversations, given as one JSON Lines record of
// any supported format, and checks the invariants of events and anchors:
// indices in range, evidence that maps back to the follow-up, scores in
// [0,1], the follow-up never part of the prompt, and a pure Mine.
func FuzzMine(f *testing.F) {
	f.Add([]byte(`{"messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"Write a haiku"},{"role":"assistant","content":"Rain."},{"role":"user","content":"No, that's wrong. Try again."},{"role":"assistant","content":"Rain falls."},{"role":"user","content":"Thanks, perfect!"}]}`))
	f.Add([]byte(`{"conversations":[{"from":"gpt","value":"Hi"},{"from":"human","value":"are you sure?"},{"from":"gpt","value":"I can't do that."},{"from":"human","value":"just do it"}]}`))
	f.Add([]byte(`{"messages":[{"role":"user","content":"a\xffb"},{"role":"assistant","content":"x"},{"role":"user","content":"make it shorter \u0000 \ud800"},{"role":"tool","content":"t"},{"role":"user","content":"wrong"}]}`))
	f.Add([]byte(`{"message_tree_id":"t","prompt":{"message_id":"a","text":"q","role":"prompter","replies":[{"message_id":"b","text":"x","role":"assistant","replies":[{"message_id":"c","text":"that's not what I asked","role":"prompter"}]}]}}`))
	cfg := DefaultConfig()
	cfg.PushbackAnchors = true
	cfg.MaxAnchorsPerConversation = 3
	m, err := NewMiner(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := conversation.NewReader(bytes.NewReader(data), "fuzz.jsonl")
		r.MaxRecordSize = 1 << 20
		ctx := context.Background()
		for {
			c, err := r.Next(ctx)
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("lenient reader: %v", err)
			}
			res, err := m.Mine(ctx, c)
			if err != nil {
				t.Fatalf("Mine: %v", err)
			}
			checkResult(t, c, res)
			again, err := m.Mine(ctx, c)
			if err != nil || !reflect.DeepEqual(res, again) {
				t.Fatalf("Mine is not pure: %v", err)
			}
		}
	})
}

func checkResult(t *testing.T, c *conversation.Conversation, res *Result) {
	t.Helper()
	n := len(c.Messages)
	for _, e := range res.Events {
		if e.FollowUp <= 0 || e.FollowUp >= n || c.Messages[e.FollowUp].Role != conversation.User {
			t.Fatalf("event follow-up %d is not a user message", e.FollowUp)
		}
		if e.Reply != e.FollowUp-1 || c.Messages[e.Reply].Role != conversation.Assistant {
			t.Fatalf("event reply %d does not precede follow-up %d", e.Reply, e.FollowUp)
		}
		if e.Request >= e.Reply || e.Request >= 0 && c.Messages[e.Request].Role != conversation.User {
			t.Fatalf("event request %d is not a user message before the reply", e.Request)
		}
		if e.Score < 0 || e.Score > 1 {
			t.Fatalf("score %v", e.Score)
		}
		if e.Kind == KindDSAT && len(e.Categories) == 0 {
			t.Fatalf("DSAT event without category")
		}
		text := c.Messages[e.FollowUp].Content
		for _, ev := range e.Evidence {
			if ev.Start < 0 || ev.Start > ev.End || ev.End > len(text) || text[ev.Start:ev.End] != ev.Text {
				t.Fatalf("evidence %+v does not map into the follow-up", ev)
			}
			if ev.End > heuristics.MaxFollowUpBytes {
				t.Fatalf("evidence %+v beyond the examined part", ev)
			}
		}
	}
	for _, a := range res.Anchors {
		if len(a.Prompt) == 0 || len(a.Rejected) != 1 || a.Rejected[0].Role != "assistant" {
			t.Fatalf("malformed anchor %+v", a)
		}
		if last := a.Prompt[len(a.Prompt)-1]; last.Role != "user" {
			t.Fatalf("prompt does not end with the request: %+v", a.Prompt)
		}
		if a.Score < 0 || a.Score > 1 || a.ID == "" {
			t.Fatalf("anchor score %v id %q", a.Score, a.ID)
		}
		if a.UserPreference.Role != "user" {
			t.Fatalf("feedback role %q", a.UserPreference.Role)
		}
	}
}
