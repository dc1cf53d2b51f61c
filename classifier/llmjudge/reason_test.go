package llmjudge

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier"
)

func TestErrorsNameTheirStatisticsKey(t *testing.T) {
	for err, want := range map[error]string{
		ErrBudgetExhausted:          "judge_budget_exhausted",
		ErrMalformed:                "judge_malformed",
		ErrUnverifiable:             "judge_unverifiable",
		ErrTimeout:                  "judge_timeout",
		ErrProtocol:                 "judge_protocol",
		ErrInvalidTurn:              "judge_invalid_turn",
		&HTTPError{StatusCode: 500}: "judge_http_error",
	} {
		require.Equal(t, want, classifier.ErrorReason(fmt.Errorf("turn 3: %w", err)))
	}
}
