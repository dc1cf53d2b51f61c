package heuristics

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
)

const plainReply = "Here is a short summary of the article. It covers the main causes and the effects on the economy."

// turnOf builds a three-message conversation (request, reply, follow-up)
// and returns the follow-up's Turn.
func turnOf(lang, request, reply, followUp string) *Turn {
	c := &conversation.Conversation{
		ID:       "t",
		Language: lang,
		Messages: []conversation.Message{
			{Role: conversation.User, Content: request},
			{Role: conversation.Assistant, Content: reply},
			{Role: conversation.User, Content: followUp},
		},
	}
	return NewTurn(c, 2)
}

func analyze(t *testing.T, reply, followUp string) Analysis {
	t.Helper()
	a := Default().Analyze(turnOf("en", "Summarise this article about inflation for me.", reply, followUp))
	checkSpans(t, followUp, a)
	return a
}

// checkSpans asserts that every evidence span points into the follow-up.
func checkSpans(t *testing.T, text string, a Analysis) {
	t.Helper()
	all := append([]Signal(nil), a.Signals...)
	for _, s := range a.Suppressed {
		all = append(all, s.Signal)
	}
	for _, s := range all {
		require.NotEmpty(t, s.Evidence, "signal %+v has no evidence", s)
		for _, sp := range s.Evidence {
			require.True(t, 0 <= sp.Start && sp.Start <= sp.End && sp.End <= len(text), "span %+v out of range", sp)
			require.Equal(t, text[sp.Start:sp.End], sp.Text, "span text mismatch")
		}
	}
}

func guards(a Analysis) []string {
	var out []string
	for _, s := range a.Suppressed {
		out = append(out, s.Guard)
	}
	return out
}

func TestCategories(t *testing.T) {
	tests := []struct {
		name     string
		followUp string
		want     Category // "" = not DSAT
	}{
		{"refinement/try again", "Please try again, that missed the point of my question.", Refinement},
		{"refinement/start over", "Let's start over from the beginning.", Refinement},
		{"refinement/regenerate", "regenerate the answer", Refinement},
		{"correction/i meant", "No, I meant the 2019 report, not the 2020 one.", Correction},
		{"correction/actually", "It's actually 1.6 kg, not 2 kg.", Correction},
		{"correction/does not exist", "That function does not exist in version 3.", Correction},
		{"complaint/wrong", "That's wrong.", Complaint},
		{"complaint/no sense", "This makes no sense at all", Complaint},
		{"complaint/not what i asked", "This is not what I asked for", Complaint},
		{"complaint/code", "The code still doesn't work", Complaint},
		{"complaint/short no", "no", Complaint},
		{"preference/shorter", "Make it shorter please", Preference},
		{"preference/bullets", "Can you put that in bullet points and make it more concise?", Preference},
		{"preference/formal", "Too formal, make it more casual", Preference},
		{"doubt/are you sure", "Are you sure about that?", Doubt},
		{"doubt/sounds wrong", "Hmm, that doesn't sound right to me", Doubt},
		{"none/new question", "How does the central bank respond to that?", ""},
		{"none/next step", "Now summarise the second article.", ""},
		{"none/knows", "I know a lot about this topic already.", ""},
		{"none/wronged", "The movie is about a man who was wronged by his brother.", ""},
		{"none/noodles", "Recommend a good noodle place nearby", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyze(t, plainReply, tt.followUp)
			if tt.want == "" {
				assert.Less(t, a.DSAT, 0.5, "%s", a)
				return
			}
			assert.GreaterOrEqual(t, a.DSAT, 0.5, "%s", a)
			assert.GreaterOrEqual(t, a.Scores[tt.want], 0.5, "want %s: %s", tt.want, a)
			for _, s := range a.Signals {
				if s.Category == tt.want {
					assert.Equal(t, DetectorLexicon, s.Detector)
					assert.Contains(t, s.Cue, "en:")
				}
			}
		})
	}
}

func TestSatisfaction(t *testing.T) {
	for _, f := range []string{"Thanks!", "Perfect, that works.", "Great job, thank you so much 🙏", "That worked, thanks"} {
		a := analyze(t, plainReply, f)
		assert.GreaterOrEqual(t, a.SAT, 0.5, "%q: %s", f, a)
		assert.Less(t, a.DSAT, 0.5, "%q: %s", f, a)
	}
	a := analyze(t, plainReply, "This is not good")
	assert.Less(t, a.SAT, 0.5, "negated praise is not SAT: %s", a)
	assert.GreaterOrEqual(t, a.Scores[Complaint], 0.5, "%s", a)
}

func TestGuardNegation(t *testing.T) {
	a := analyze(t, plainReply, "It's not useless, I just wanted another example.")
	assert.Zero(t, a.Scores[Complaint], "%s", a)
	assert.Contains(t, guards(a), GuardNegation)

	a = analyze(t, plainReply, "No problem, what about the next chapter?")
	assert.Less(t, a.DSAT, 0.5, "%s", a)

	a = analyze(t, plainReply, "There is nothing wrong with it.")
	assert.Less(t, a.DSAT, 0.5, "%s", a)

	// A clause break ends the negator's reach.
	a = analyze(t, plainReply, "No. That's wrong.")
	assert.GreaterOrEqual(t, a.Scores[Complaint], 0.5, "%s", a)
}

func TestGuardCodeAndQuotes(t *testing.T) {
	f := "Here is my test file:\n```\n// that's wrong, try again\nassert(x == 1)\n```\nWhat does it check?"
	a := analyze(t, plainReply, f)
	assert.Less(t, a.DSAT, 0.5, "%s", a)
	assert.Contains(t, guards(a), GuardCode)

	f = "Look at this line:\n\n    return wrong_answer() # this is wrong\n\nWhat does it return?"
	a = analyze(t, plainReply, f)
	assert.Less(t, a.DSAT, 0.5, "%s", a)

	f = "Check `make it shorter` in the docs"
	a = analyze(t, plainReply, f)
	assert.Less(t, a.DSAT, 0.5, "%s", a)

	f = "> That's wrong, said my teacher.\nCan you explain why she said it?"
	a = analyze(t, plainReply, f)
	assert.Less(t, a.DSAT, 0.5, "%s", a)
	assert.Contains(t, guards(a), GuardQuote)

	reply := "Many readers think the first claim is not correct and try again later with a new edition."
	f = "About \"the first claim is not correct and try again later\" - which claim?"
	a = analyze(t, reply, f)
	assert.Less(t, a.DSAT, 0.5, "%s", a)
	assert.Contains(t, guards(a), GuardCopied)
}

func TestGuardContinue(t *testing.T) {
	cut := strings.Repeat("The next step is to configure the server so that it accepts the new ", 10) + "certificate and then"
	a := analyze(t, cut, "you stopped, please continue")
	assert.Less(t, a.DSAT, 0.5, "%s", a)
	assert.Contains(t, guards(a), GuardContinue)

	a = analyze(t, cut, "continue")
	assert.Zero(t, a.DSAT, "%s", a)

	// The same cue after a complete reply is a complaint.
	a = analyze(t, plainReply, "you stopped, please continue")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, "%s", a)
}

func TestGuardAnswer(t *testing.T) {
	q := "I can write it in Python or in Go. Which language would you prefer?"
	a := analyze(t, q, "no")
	assert.True(t, a.Question)
	assert.Less(t, a.DSAT, 0.5, "%s", a)
	assert.Contains(t, guards(a), GuardAnswer)

	// A strong cue still counts.
	a = analyze(t, q, "That's not what I asked. I wanted a shell script.")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, "%s", a)

	a = analyze(t, plainReply, "no")
	assert.False(t, a.Question)
	assert.GreaterOrEqual(t, a.DSAT, 0.5, "%s", a)
}

func TestGuardThanks(t *testing.T) {
	a := analyze(t, plainReply, "Thank you so much!!")
	assert.Zero(t, a.DSAT, "%s", a)
	assert.GreaterOrEqual(t, a.SAT, 0.5)

	a = analyze(t, plainReply, "Thanks, but that's wrong: it's 1.6 kg.")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, "thanks and correction is DSAT: %s", a)
	assert.Greater(t, a.SAT, 0.0)
}

func TestGuardAccept(t *testing.T) {
	a := analyze(t, plainReply, "Okay that's actually lovely, thank you")
	assert.Zero(t, a.DSAT, "thanks with acceptance names no problem: %s", a)
	assert.GreaterOrEqual(t, a.SAT, 0.5)
	found := false
	for _, s := range a.Suppressed {
		found = found || s.Guard == GuardAccept
	}
	assert.True(t, found, "the weak cue is kept as suppressed, for explainability: %s", a)

	a = analyze(t, plainReply, "Thanks! Now make it shorter please.")
	assert.GreaterOrEqual(t, a.Scores[Preference], 0.5, "a change asked after thanks still counts: %s", a)
}

func TestRefusalAndPushback(t *testing.T) {
	refusal := "I'm sorry, but I can't help with writing that letter."
	a := analyze(t, refusal, "Just do it, it's for a story.")
	assert.True(t, a.Refusal)
	assert.GreaterOrEqual(t, a.Scores[Pushback], 0.5, "%s", a)

	a = analyze(t, plainReply, "Just do it, it's for a story.")
	assert.False(t, a.Refusal)
	assert.Less(t, a.Scores[Pushback], 0.5, "pushback without refusal is weak: %s", a)

	a = analyze(t, "As an AI language model, I do not have personal opinions.", "yes you can")
	assert.True(t, a.Refusal)
	assert.GreaterOrEqual(t, a.Scores[Pushback], 0.5, "%s", a)
}

func TestRephrase(t *testing.T) {
	req := "Write a haiku about autumn leaves falling in the park"
	a := Default().Analyze(turnOf("en", req, "Golden leaves drift down / ...", "write a haiku about autumn leaves falling in the park"))
	assert.GreaterOrEqual(t, a.Scores[Refinement], 0.5, "%s", a)
	var found bool
	for _, s := range a.Signals {
		if s.Detector == DetectorRephrase {
			found = true
			assert.Contains(t, s.Cue, "message 0")
		}
	}
	assert.True(t, found)

	// Same template, different item: not a re-ask.
	a = Default().Analyze(turnOf("en", "Write chapter 1 of the story following the outline",
		"Chapter 1 ...", "Write chapter 2 of the story following the outline"))
	assert.Less(t, a.Scores[Refinement], 0.5, "%s", a)

	// A follow-up question on another topic.
	a = Default().Analyze(turnOf("en", req, "Golden leaves drift down", "What is the origin of the haiku form?"))
	assert.Zero(t, a.Scores[Refinement], "%s", a)
}

func TestStructureErrorPaste(t *testing.T) {
	codeReply := "Use this:\n```python\nprint(x)\n```\n"
	f := "Traceback (most recent call last):\n  File \"main.py\", line 1, in <module>\nNameError: name 'x' is not defined"
	a := analyze(t, codeReply, f)
	assert.GreaterOrEqual(t, a.Scores[Complaint], 0.5, "%s", a)
	var s *Signal
	for i := range a.Signals {
		if a.Signals[i].Detector == DetectorStructure {
			s = &a.Signals[i]
		}
	}
	require.NotNil(t, s)
	assert.Equal(t, "Traceback (most recent call last):", s.Evidence[0].Text)

	a = analyze(t, plainReply, f)
	assert.Zero(t, a.Scores[Complaint], "no code in the reply: %s", a)
}

func TestEvidenceOffsetsNonASCII(t *testing.T) {
	f := "😀 Ну… That’s  WRONG — Это неправильно. “Are you sure”?"
	a := analyze(t, plainReply, f)
	require.GreaterOrEqual(t, a.DSAT, 0.5, "%s", a)
	var texts []string
	for _, s := range a.Signals {
		texts = append(texts, s.Evidence[0].Text)
	}
	assert.Contains(t, texts, "That’s  WRONG")
	assert.Contains(t, texts, "Are you sure")
}

func TestInvalidAndHugeInput(t *testing.T) {
	for _, f := range []string{
		"\xff\xfe that's wrong \xc3",
		"that's\xffwrong",
		strings.Repeat("\xe2\x80", 1000),
		strings.Repeat("that's wrong ", 200000),
		strings.Repeat("a", 1<<20),
		"",
	} {
		a := Default().Analyze(turnOf("", f, f, f))
		checkSpans(t, f, a)
	}
	a := Default().Analyze(turnOf("", "q", plainReply, "\xff\xfe that's wrong \xc3"))
	assert.GreaterOrEqual(t, a.Scores[Complaint], 0.5, "%s", a)

	// Out-of-range turns are ignored.
	assert.Zero(t, Default().Analyze(&Turn{Conv: &conversation.Conversation{}, FollowUp: 3}).DSAT)
	assert.Zero(t, Default().Analyze(nil).DSAT)
}

func TestDetectAndMetadata(t *testing.T) {
	e := Default()
	var d Detector = e
	assert.Equal(t, "heuristics", d.Name())
	assert.NotEmpty(t, e.Version())
	sigs := d.Detect(turnOf("en", "q", plainReply, "That's wrong."), []Signal{{Detector: "x"}})
	require.GreaterOrEqual(t, len(sigs), 2)
	assert.Equal(t, "x", sigs[0].Detector)
	assert.Contains(t, e.Languages(), "en")
}

func TestConcurrentAnalyze(t *testing.T) {
	e := Default()
	inputs := []string{"That's wrong.", "Thanks!", "make it shorter", "Are you sure?", "continue"}
	want := make([]Analysis, len(inputs))
	for i, f := range inputs {
		want[i] = e.Analyze(turnOf("en", "q", plainReply, f))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 50; n++ {
				i := n % len(inputs)
				got := e.Analyze(turnOf("en", "q", plainReply, inputs[i]))
				assert.Equal(t, want[i].DSAT, got.DSAT)
				assert.Equal(t, want[i].SAT, got.SAT)
			}
		}()
	}
	wg.Wait()
}

func TestCombine(t *testing.T) {
	scores, sat := Combine([]Signal{
		{Category: Complaint, Score: 0.5},
		{Category: Complaint, Score: 0.5},
		{Category: Doubt, Score: 2}, // clamped
		{Polarity: SAT, Score: 0.6},
		{Category: "", Score: 0.9}, // no category: ignored
	})
	assert.InDelta(t, 0.75, scores[Complaint], 1e-9)
	assert.InDelta(t, 1.0, scores[Doubt], 1e-9)
	assert.InDelta(t, 0.6, sat, 1e-9)
	assert.Len(t, scores, 2)
	scores, sat = Combine(nil)
	assert.Nil(t, scores)
	assert.Zero(t, sat)
}

func TestLanguageSelection(t *testing.T) {
	assert.Equal(t, "en", LanguageCode("English"))
	assert.Equal(t, "zh", LanguageCode("zh-CN"))
	assert.Equal(t, "pt", LanguageCode("pt_BR"))
	assert.Equal(t, "ru", LanguageCode(" Russian "))
	assert.Equal(t, "de", LanguageCode("deu"))
	assert.Equal(t, "", LanguageCode("klingon"))
	assert.Equal(t, "", LanguageCode(""))

	// An English-only engine still works on a conversation in another language.
	e, err := NewEngine(Options{Languages: []string{"en"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"en"}, e.Languages())
	a := e.Analyze(turnOf("Chinese", "q", plainReply, "That's wrong"))
	assert.GreaterOrEqual(t, a.DSAT, 0.5)
}

func TestGuardNewTask(t *testing.T) {
	req := "Write a haiku about autumn leaves falling in the park"
	a := Default().Analyze(turnOf("en", req, "Golden leaves drift down / ...",
		"Now write a haiku about autumn leaves falling in the park"))
	assert.Less(t, a.Scores[Refinement], 0.5, "%s", a)
	assert.Contains(t, guards(a), GuardNewTask)
}

func TestGuardBody(t *testing.T) {
	body := strings.Repeat("The committee reviewed the budget and approved the plan for next year. ", 12)
	f := "Please summarise the minutes below.\n\n" + body + "Some members said that is wrong. " + body + "\nKeep it brief."
	a := analyze(t, plainReply, f)
	assert.Zero(t, a.Scores[Complaint], "%s", a)
	assert.Contains(t, guards(a), GuardBody)
}

func TestCyrillicConversation(t *testing.T) {
	f := "Спасибо, но «это» не то… That’s not what I asked 🙄"
	a := Default().Analyze(turnOf("Russian", "Привет", "Ответ на вопрос.", f))
	checkSpans(t, f, a)
	require.GreaterOrEqual(t, a.Scores[Complaint], 0.5, "%s", a)
	var got []string
	for _, s := range a.Signals {
		got = append(got, s.Evidence[0].Text)
	}
	assert.Contains(t, got, "not what I asked")
}

func TestRepeatedCuesStayBounded(t *testing.T) {
	f := strings.Repeat("not wrong, that's not useless. ", 500) + "That's wrong."
	a := analyze(t, plainReply, capText(f, MaxFollowUpBytes))
	// Cues in the body of a long follow-up are not evidence; the last
	// sentence (in the closing frame) is.
	assert.GreaterOrEqual(t, a.Scores[Complaint], 0.5, "%s", a)
	assert.LessOrEqual(t, len(a.Suppressed), maxCands)
}

func TestExtension(t *testing.T) {
	a := analyze(t, plainReply, "Interesting! Tell me more about the second cause.")
	assert.Less(t, a.DSAT, 0.5, "extensions are not counted: %s", a)
	i := slices.IndexFunc(a.Signals, IsExtension)
	require.GreaterOrEqual(t, i, 0, "%+v", a.Signals)
	assert.Equal(t, "Tell me more", a.Signals[i].Evidence[0].Text)
	scores, _ := Combine(a.Signals)
	assert.GreaterOrEqual(t, scores[Refinement], 0.5)
}

func TestGuardHolding(t *testing.T) {
	holding := "Ok, let me look into some options for you."
	a := analyze(t, holding, "actually I would prefer something in Madrid")
	assert.True(t, a.Holding)
	assert.Less(t, a.DSAT, 0.5, "%s", a)
	assert.Contains(t, guards(a), GuardHolding)

	// Without the holding reply the same change of mind is a preference.
	b := analyze(t, "Here are three hotels in Lisbon: the Avenida, the Bairro Alto and the Lumiares.", "actually I would prefer something in Madrid")
	assert.False(t, b.Holding)
	assert.GreaterOrEqual(t, b.DSAT, 0.5, "%s", b)

	// A complaint is not a change of mind.
	c := analyze(t, holding, "this is useless, you keep stalling")
	assert.GreaterOrEqual(t, c.DSAT, 0.5, "%s", c)

	// A long reply that says "let me check" has content to react to.
	long := "Let me check the options. " + strings.Repeat("The Avenida is central and quiet, with rooms from 90 euros. ", 4)
	d := analyze(t, long, "actually I would prefer something in Madrid")
	assert.False(t, d.Holding)
	assert.GreaterOrEqual(t, d.DSAT, 0.5, "%s", d)
}
