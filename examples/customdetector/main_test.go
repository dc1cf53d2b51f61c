package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

func TestTracebackDetector(t *testing.T) {
	c := &conversation.Conversation{Messages: []conversation.Message{
		{Role: conversation.User, Content: "fix my script"},
		{Role: conversation.Assistant, Content: "```python\nimport request\n```"},
		{Role: conversation.User, Content: "I get ModuleNotFoundError: No module named 'request'"},
	}}
	sig := tracebackDetector{}.Detect(heuristics.NewTurn(c, 2), nil)
	require.Len(t, sig, 1)
	require.Equal(t, heuristics.Complaint, sig[0].Category)
	ev := sig[0].Evidence[0]
	require.Equal(t, "ModuleNotFoundError:", ev.Text)
	require.Equal(t, ev.Text, c.Messages[2].Content[ev.Start:ev.End])

	c.Messages[2].Content = "thanks, that worked"
	require.Empty(t, tracebackDetector{}.Detect(heuristics.NewTurn(c, 2), nil))
}

func TestCustomDetectorExampleRuns(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "log.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"id":"c1","messages":[{"role":"user","content":"Why does my import fail?"},{"role":"assistant","content":"Run pip install requests."},{"role":"user","content":"Still failing: ModuleNotFoundError: No module named 'requests'"}]}`+"\n"), 0o644))
	out, err := os.Create(filepath.Join(dir, "stdout"))
	require.NoError(t, err)
	defer out.Close()
	oldArgs, oldStdout := os.Args, os.Stdout
	os.Args, os.Stdout = []string{"customdetector", in}, out
	defer func() { os.Args, os.Stdout = oldArgs, oldStdout }()
	main()
	b, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "c1 turn 2: dsat [complaint]"), string(b))
}
