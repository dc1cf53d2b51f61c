package classifier

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

type reasonErr struct{}

func (reasonErr) Error() string  { return "x" }
func (reasonErr) Reason() string { return "judge_timeout" }

func TestErrorReason(t *testing.T) {
	require.Equal(t, "classifier_error", ErrorReason(errors.New("plain")))
	require.Equal(t, "judge_timeout", ErrorReason(reasonErr{}))
	require.Equal(t, "judge_timeout", ErrorReason(fmt.Errorf("wrapped: %w", reasonErr{})))
}
