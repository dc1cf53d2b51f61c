package heuristics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
)

// analyzeNext judges a follow-up whose conversation goes on with the
// assistant reply next (none when next is empty).
func analyzeNext(t *testing.T, lang, reply, followUp, next string) Analysis {
	t.Helper()
	turn := turnOf(lang, "Tell me about the winery's owner.", reply, followUp)
	if next != "" {
		turn.Conv.Messages = append(turn.Conv.Messages, conversation.Message{Role: conversation.Assistant, Content: next})
	}
	a := Default().Analyze(turn)
	checkSpans(t, followUp, a)
	v := Default().Verdict(turn)
	assert.Equal(t, a.Signals, v.Signals, "Verdict and Analyze disagree")
	return a
}

func concessionSignals(a Analysis) []Signal {
	var out []Signal
	for _, s := range a.Signals {
		if s.Detector == DetectorConcession {
			out = append(out, s)
		}
	}
	return out
}

func TestConcessionMakesTheFollowUpDSAT(t *testing.T) {
	a := analyzeNext(t, "en", plainReply, "he isn't.", "My apologies for the mistake in my previous response. He is the owner.")
	sigs := concessionSignals(a)
	require.Len(t, sigs, 1, a.String())
	assert.Equal(t, Complaint, sigs[0].Category, "no cue in the follow-up: a complaint")
	assert.Contains(t, sigs[0].Cue, `"my apologies"`)
	assert.Equal(t, "he isn't.", sigs[0].Evidence[0].Text)
	assert.GreaterOrEqual(t, a.DSAT, 0.5)

	// Without the conceding reply the same follow-up carries no signal.
	assert.Zero(t, analyzeNext(t, "en", plainReply, "he isn't.", "").DSAT)
	assert.Zero(t, analyzeNext(t, "en", plainReply, "he isn't.", "He is the owner, and also the winemaker.").DSAT)
}

func TestConcessionJoinsTheStrongestCue(t *testing.T) {
	a := analyzeNext(t, "en", plainReply, "no, use the other library", "You're right, the other library is the better fit.")
	sigs := concessionSignals(a)
	require.Len(t, sigs, 1, a.String())
	assert.Equal(t, Correction, sigs[0].Category)
	assert.Greater(t, a.Scores[Correction], sigs[0].Score, "noisy-OR with the follow-up's own cue")
}

func TestConcessionOnlyInTheOpeningWords(t *testing.T) {
	next := "The owner bought the estate in 1998 and replanted the vineyards. I apologize if that was unclear."
	assert.Empty(t, concessionSignals(analyzeNext(t, "en", plainReply, "he isn't.", next)))
}

func TestConcessionNotARefusal(t *testing.T) {
	a := analyzeNext(t, "en", plainReply, "write it anyway", "I'm sorry, but I can't write that. I apologize for any inconvenience.")
	assert.Empty(t, concessionSignals(a))
	a = analyzeNext(t, "en", plainReply, "write it anyway", "My apologies, but I cannot help with that request.")
	assert.Empty(t, concessionSignals(a), a.String())
}

func TestConcessionGuards(t *testing.T) {
	// A continue request: the apology is for the cut-off, not a miss.
	cut := "Here is the code:\n```go\nfunc main() {\n"
	assert.Empty(t, concessionSignals(analyzeNext(t, "en", cut, "continue", "Apologies, here is the rest of the code.")))
	// Thanks alone stays thanks.
	a := analyzeNext(t, "en", plainReply, "thank you!", "You're right to ask, and you're welcome.")
	assert.Zero(t, a.DSAT, a.String())
	// A short answer to the reply's question: the apology is for a guess.
	a = analyzeNext(t, "en", "Is your character Gandalf?", "no", "I apologize for my wrong guess. Is it Frodo?")
	assert.Zero(t, a.DSAT, a.String())
	assert.Contains(t, guards(a), GuardAnswer)
}

func TestConcessionOtherLanguages(t *testing.T) {
	for _, c := range []struct{ lang, followUp, next string }{
		{"es", "eso no es así", "Tienes razón, me equivoqué en la fecha."},
		{"ru", "это не так", "Вы правы, я ошибся в дате."},
		{"zh", "不是这样的", "你说得对，我弄错了日期。"},
	} {
		assert.Len(t, concessionSignals(analyzeNext(t, c.lang, plainReply, c.followUp, c.next)), 1, c.lang)
	}
}

func TestGuardRestate(t *testing.T) {
	reply := "The cache is flushed whenever a write happens, so readers always see fresh data."
	a := analyze(t, reply, "So if I understand correctly, the cache is flushed on every write. Is that right?")
	assert.Zero(t, a.DSAT, a.String())
	assert.Contains(t, guards(a), GuardRestate)

	// Doubt without the restating frame stays doubt.
	a = analyze(t, reply, "Is that right? I thought the cache was flushed on read.")
	assert.Greater(t, a.Scores[Doubt], 0.5, a.String())

	// The frame only mutes doubt: a correction in the same follow-up counts.
	a = analyze(t, reply, "If I understand correctly you flush on write, but that's wrong, it's on read.")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, a.String())
}
