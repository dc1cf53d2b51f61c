package heuristics

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A pattern that is a cue in English and something else in another language
// follows the conversation's language when it is known.
func TestKnownLanguageRuleWinsOverEnglishPattern(t *testing.T) {
	e := Default()
	reply := "La capital de Australia es Canberra, no Sídney."
	for _, fu := range []string{"Yo no diría que está mal, gracias.", "no sigue fallando, ya funciona"} {
		neg := e.Analyze(turnOf("Spanish", "¿Cuál es la capital de Australia?", reply, fu))
		require.Zero(t, neg.Scores[Complaint], "%q: Spanish \"no\" negates the cue: %+v", fu, neg.Signals)
	}

	// The same English pattern still counts on English text.
	en := e.Analyze(turnOf("English", "What is the capital of Australia?", "Sydney.", "No."))
	require.Greater(t, en.Scores[Complaint], 0.0)
}
