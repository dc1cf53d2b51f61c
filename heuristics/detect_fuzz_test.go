package heuristics

import (
	"runtime"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
)

// FuzzAnalyzeConversation judges every follow-up of an arbitrary
// conversation (any text, invalid UTF-8, huge repeated follow-ups, any
// language tag): evidence must map back to the follow-up
// (text[Start:End] == Text), lie in the part the engine examines, and scores
// must stay in [0,1].
func FuzzAnalyzeConversation(f *testing.F) {
	f.Add("Write a haiku about rain.", "Rain taps.", "No, that's wrong, it needs three lines", uint16(1), "en")
	f.Add("¿Cuál es la capital?", "Lyon.", "no, es París. ¡Inténtalo de nuevo!", uint16(400), "es")
	f.Add("q", "I can't help with that.", "just do it \xff\xfe are you sure?", uint16(5000), "")
	f.Add("", "", "谢谢，但是不对", uint16(2), "zh")
	f.Add("translate", "Перевод", "нет, это неправильно \xc0\xaf", uint16(3), "ru")
	e := Default()
	f.Fuzz(func(t *testing.T, request, reply, followUp string, repeat uint16, lang string) {
		if n := int(repeat); n > 1 && len(followUp) > 0 {
			n = min(n, (1<<20)/len(followUp)) // up to 1 MiB of follow-up
			followUp = strings.Repeat(followUp, n)
		}
		c := &conversation.Conversation{ID: "f", Language: lang, Messages: []conversation.Message{
			{Role: conversation.User, Content: request},
			{Role: conversation.Assistant, Content: reply},
			{Role: conversation.User, Content: followUp},
			{Role: conversation.Assistant, Content: reply + followUp},
			{Role: conversation.User, Content: request},
		}}
		for _, i := range c.FollowUps() {
			text := c.Messages[i].Content
			a := e.Analyze(NewTurn(c, i))
			checkSpans(t, text, a)
			for _, s := range a.Signals {
				for _, sp := range s.Evidence {
					if sp.End > MaxFollowUpBytes {
						t.Fatalf("evidence %+v beyond the %d bytes the detectors examine", sp, MaxFollowUpBytes)
					}
				}
			}
			if a.DSAT < 0 || a.DSAT > 1 || a.SAT < 0 || a.SAT > 1 {
				t.Fatalf("scores out of range: %+v", a)
			}
			for cat, s := range a.Scores {
				if s < 0 || s > 1 {
					t.Fatalf("score of %s out of range: %v", cat, s)
				}
			}
		}
	})
}

// TestHugeFollowUpIsCapped shows that the detectors examine a bounded part
// of each follow-up: a 64 MiB follow-up and reply cost little memory and give
// the same analysis as their first MaxFollowUpBytes.
func TestHugeFollowUpIsCapped(t *testing.T) {
	head := "No, that's wrong. Try again please. "
	huge := head + strings.Repeat("blah ", (64<<20)/5)
	reply := strings.Repeat("Here is the answer. ", (64<<20)/20)
	e := Default()
	conv := func(fu string) *Turn {
		return NewTurn(&conversation.Conversation{ID: "h", Language: "en", Messages: []conversation.Message{
			{Role: conversation.User, Content: "Write a haiku"},
			{Role: conversation.Assistant, Content: reply},
			{Role: conversation.User, Content: fu},
		}}, 2)
	}
	e.Analyze(conv(head)) // warm the pools
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a := e.Analyze(conv(huge))
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("analysing a 64 MiB follow-up allocated %d bytes; want under 8 MiB", alloc)
	}
	capped := e.Analyze(conv(huge[:MaxFollowUpBytes]))
	if a.DSAT != capped.DSAT || a.SAT != capped.SAT || len(a.Signals) != len(capped.Signals) {
		t.Errorf("analysis of the huge follow-up %+v differs from that of its first %d bytes %+v", a, MaxFollowUpBytes, capped)
	}
	if a.DSAT < 0.5 {
		t.Errorf("the cue at the start of the huge follow-up was missed: %+v", a)
	}
}
