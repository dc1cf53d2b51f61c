package report

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
)

// injection is log text that must never reach the page unescaped.
const (
	injectionScript = `<script>alert("x")</script>`
	injectionModel  = `<img src=x onerror=alert(1)>`
	injectionID     = `c4"><b>bold</b>`
)

// conv builds a conversation from alternating contents; a leading "system:"
// content is a system message.
func conv(id, model, lang string, contents ...string) *conversation.Conversation {
	c := &conversation.Conversation{ID: id, Source: "test", Model: model, Language: lang}
	role := conversation.User
	for i, s := range contents {
		r := role
		if i == 0 && len(s) > 7 && s[:7] == "system:" {
			c.Messages = append(c.Messages, conversation.Message{Role: conversation.System, Content: s[7:], Index: i})
			continue
		}
		c.Messages = append(c.Messages, conversation.Message{Role: r, Content: s, Index: i})
		if role == conversation.User {
			role = conversation.Assistant
		} else {
			role = conversation.User
		}
	}
	return c
}

// fixture returns conversations with DSAT of several categories, SAT,
// several models and languages, a follow-up past position 10 and hostile
// text in a follow-up, a model name and an id.
func fixture() []*conversation.Conversation {
	long := []string{"What is 1+1?", "2."}
	for i := 2; i <= 11; i++ {
		long = append(long, fmt.Sprintf("And %d+%d?", i, i), fmt.Sprint(2*i)+".")
	}
	long = append(long, "That's wrong, it is not what I asked.", "Sorry.")
	return []*conversation.Conversation{
		conv("c1", "model-a", "English",
			"system:You are a helpful assistant.",
			"Write a haiku about the sea.", "The sea is very big and blue.",
			"That's not a haiku. Try again, it needs 5-7-5 syllables.", "Waves fold into foam / salt wind carries gull voices / the tide keeps its time",
			"Perfect, thank you so much!"),
		conv("c2", "model-a", "English",
			"Show me how to reverse a list in Python.", "In Java you can call Collections.reverse(list).",
			"That's wrong, I said Python, not Java.", "Sorry! In Python: my_list.reverse().",
			"Thanks, that works!"),
		conv("c3", "model-b", "French",
			"Quelle est la capitale de l'Australie ?", "Sydney.",
			"T'es sûr ? Je croyais que c'était Canberra.", "Vous avez raison, c'est Canberra."),
		conv(injectionID, injectionModel, "English",
			"Summarise this article about cats.", "<b>Summary</b>: it is about dogs & cats "+injectionScript,
			"That's wrong "+injectionScript+" and make it shorter.", "Cats."),
		conv("c5", "", "", long...),
		conv("c6", "model-b", "English",
			"Explain recursion.", "Recursion is when a function calls itself.",
			"Can you make it shorter and in bullet points?", "- A function calling itself."),
	}
}

// sliceInput serves conversations as a dsat.Input.
type sliceInput struct {
	convs []*conversation.Conversation
	i     int
}

func (s *sliceInput) Next(ctx context.Context) (*conversation.Conversation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.i >= len(s.convs) {
		return nil, io.EOF
	}
	s.i++
	return s.convs[s.i-1], nil
}

func (s *sliceInput) Stats() conversation.ReadStats {
	return conversation.ReadStats{Records: int64(s.i), Conversations: int64(s.i), Formats: map[string]int64{"test": int64(s.i)}}
}

func newMiner(t testing.TB) *dsat.Miner {
	t.Helper()
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	require.NoError(t, err)
	return m
}

// mined runs the fixture through an Aggregator.
func mined(t testing.TB, opt Options) (*Aggregator, *dsat.Stats) {
	t.Helper()
	a := NewAggregator(opt)
	st, err := a.Mine(context.Background(), newMiner(t), []dsat.Input{&sliceInput{convs: fixture()}})
	require.NoError(t, err)
	return a, st
}

// collect is a dsat sink that keeps everything.
type collect struct {
	events  []dsat.Event
	anchors []dsat.Anchor
}

func (c *collect) WriteEvent(e *dsat.Event) error   { c.events = append(c.events, *e); return nil }
func (c *collect) WriteAnchor(a *dsat.Anchor) error { c.anchors = append(c.anchors, *a); return nil }
