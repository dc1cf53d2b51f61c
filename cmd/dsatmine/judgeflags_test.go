package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

func parseJudgeFlags(t *testing.T, args ...string) *judgeFlags {
	t.Helper()
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	f := addJudgeFlags(cmd)
	require.NoError(t, cmd.ParseFlags(args))
	return f
}

func TestJudgeFlagsOffByDefault(t *testing.T) {
	c, j, err := parseJudgeFlags(t).build()
	require.NoError(t, err)
	assert.Nil(t, c)
	assert.Nil(t, j)
}

func TestJudgeFlagsInvalid(t *testing.T) {
	for _, args := range [][]string{
		{"--judge-endpoint", "http://localhost:1/v1"}, // no model
		{"--judge-endpoint", "localhost", "--judge-model", "m"},
		{"--judge-endpoint", "http://localhost:1/v1", "--judge-model", "m", "--judge-concurrency", "0"},
		{"--judge-endpoint", "http://localhost:1/v1", "--judge-model", "m", "--judge-budget-tokens", "-5"},
		{"--judge-endpoint", "http://localhost:1/v1", "--judge-model", "m", "--judge-context-tokens", "0"},
		{"--judge-endpoint", "http://localhost:1/v1", "--judge-model", "m", "--judge-timeout", "0s"},
	} {
		_, _, err := parseJudgeFlags(t, args...).build()
		assert.Error(t, err, "%v", args)
	}
}

func TestJudgeFlagsBuild(t *testing.T) {
	const key = "flag-test-key-123"
	var auth, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		io.WriteString(w, `{"choices":[{"message":{"content":"{\"dsat\":false,\"sat\":false,\"categories\":[],\"confidence\":0.8,\"evidence\":[]}"}}],"usage":{"prompt_tokens":5,"completion_tokens":5}}`)
	}))
	defer srv.Close()
	t.Setenv("MY_JUDGE_KEY", key)
	f := parseJudgeFlags(t,
		"--judge-endpoint", srv.URL+"/v1", "--judge-model", "m1", "--judge-api-key-env", "MY_JUDGE_KEY",
		"--judge-budget-requests", "1", "--judge-concurrency", "2", "--judge-cache", t.TempDir(),
		"--judge-no-redact", "--judge-timeout", "3s", "--judge-context-tokens", "64")
	assert.Equal(t, 3*time.Second, f.timeout)
	c, j, err := f.build()
	require.NoError(t, err)
	require.NotNil(t, j)
	assert.Equal(t, "llmjudge:m1", c.Name())

	conv := &conversation.Conversation{Messages: []conversation.Message{
		{Role: conversation.User, Content: "hi"},
		{Role: conversation.Assistant, Content: "hello"},
		{Role: conversation.User, Content: "write to me at a@example.com"},
	}}
	_, err = c.Classify(context.Background(), heuristics.NewTurn(conv, 2), nil)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+key, auth)
	assert.Contains(t, body, "a@example.com", "--judge-no-redact")
	assert.Equal(t, int64(1), j.Stats().Requests)

	// The request budget of 1 is spent.
	conv.Messages[2].Content = "something else"
	_, err = c.Classify(context.Background(), heuristics.NewTurn(conv, 2), nil)
	assert.Error(t, err)
	assert.True(t, j.Stats().BudgetExhausted)
}
