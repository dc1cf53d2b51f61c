package export

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleAnchor(withChosen bool) *dsat.Anchor {
	a := &dsat.Anchor{
		ID: dsat.AnchorID("c1", 4), ConversationID: "c1", Source: "test", Turn: 4,
		Prompt: []dsat.ChatMessage{
			{Role: "system", Content: "sys"}, {Role: "user", Content: "q1"}, {Role: "assistant", Content: "a1"}, {Role: "tool", Content: "out"}, {Role: "user", Content: "q2a"}, {Role: "user", Content: "q2b"},
		},
		Rejected:       []dsat.ChatMessage{{Role: "assistant", Content: "bad"}},
		UserPreference: dsat.ChatMessage{Role: "user", Content: "wrong"},
		Categories:     []string{"complaint"},
		Score:          0.9,
		Evidence:       []dsat.Evidence{{Start: 0, End: 5, Text: "wrong", Category: "complaint", Detector: "heuristics"}},
	}
	if withChosen {
		a.Chosen = []dsat.ChatMessage{{Role: "assistant", Content: "good"}}
	}
	return a
}

func exportLine(t *testing.T, f Format, a *dsat.Anchor) (map[string]any, error) {
	t.Helper()
	var buf bytes.Buffer
	err := NewAnchorWriter(&buf, f).WriteAnchor(a)
	if err != nil {
		assert.Zero(t, buf.Len(), "nothing written on error")
		return nil, err
	}
	require.Equal(t, byte('\n'), buf.Bytes()[buf.Len()-1])
	require.Equal(t, 1, bytes.Count(buf.Bytes(), []byte("\n")), "one line per record")
	var m map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	return m, nil
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func msgs(v any) []map[string]any {
	var out []map[string]any
	for _, x := range v.([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func TestFormatDRIFT(t *testing.T) {
	m, err := exportLine(t, FormatDRIFT, sampleAnchor(false))
	require.NoError(t, err)
	for _, k := range []string{"id", "conversation_id", "source", "turn", "prompt", "rejected", "user_preference", "categories", "score", "evidence"} {
		assert.Contains(t, m, k)
	}
	assert.NotContains(t, m, "chosen", "chosen is omitted when absent")
	assert.Equal(t, map[string]any{"role": "user", "content": "wrong"}, m["user_preference"])
	assert.Equal(t, "assistant", msgs(m["rejected"])[0]["role"])
	m, err = exportLine(t, FormatDRIFT, sampleAnchor(true))
	require.NoError(t, err)
	assert.Equal(t, "good", msgs(m["chosen"])[0]["content"])
}

func TestExportTRLAndOpenRLHF(t *testing.T) {
	for _, f := range []Format{FormatTRL, FormatOpenRLHF} {
		_, err := exportLine(t, f, sampleAnchor(false))
		assert.ErrorIs(t, err, dsat.ErrNotExported, f)

		m, err := exportLine(t, f, sampleAnchor(true))
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"prompt", "chosen", "rejected"}, keys(m), f)
		p := msgs(m["prompt"])
		require.Len(t, p, 5, "the two last user messages are merged")
		assert.Equal(t, map[string]any{"role": "system", "content": "sys"}, p[0])
		assert.Equal(t, map[string]any{"role": "user", "content": "q2a\n\nq2b"}, p[4])
		assert.Equal(t, []map[string]any{{"role": "assistant", "content": "good"}}, msgs(m["chosen"]))
		assert.Equal(t, []map[string]any{{"role": "assistant", "content": "bad"}}, msgs(m["rejected"]))
	}
}

func TestExportKTO(t *testing.T) {
	m, err := exportLine(t, FormatKTO, sampleAnchor(false))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"prompt", "completion", "label"}, keys(m))
	assert.Equal(t, false, m["label"])
	assert.Len(t, msgs(m["prompt"]), 5)
	assert.Equal(t, []map[string]any{{"role": "assistant", "content": "bad"}}, msgs(m["completion"]))
}

func TestExportKeepRoles(t *testing.T) {
	for _, f := range []Format{FormatTRL, FormatOpenRLHF, FormatKTO} {
		var buf bytes.Buffer
		aw := NewAnchorWriter(&buf, f)
		aw.KeepRoles = true
		require.NoError(t, aw.WriteAnchor(sampleAnchor(true)))
		var m map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
		p := msgs(m["prompt"])
		require.Len(t, p, 6, "%s: messages as logged", f)
		assert.Equal(t, "q2b", p[5]["content"])
		assert.Zero(t, aw.ExportStats().Normalised)
	}
}

func TestExportCountsNormalisation(t *testing.T) {
	var buf bytes.Buffer
	aw := NewAnchorWriter(&buf, FormatTRL)
	a := sampleAnchor(true)
	a.Prompt = []dsat.ChatMessage{
		{Role: "assistant", Content: "Hi! How can I help?"}, {Role: "user", Content: "q1"}, {Role: "system", Content: "late rule"},
		{Role: "user", Content: "q1 again"},
	}
	require.NoError(t, aw.WriteAnchor(a))
	require.NoError(t, aw.WriteAnchor(sampleAnchor(true)))
	st := aw.ExportStats()
	assert.Equal(t, dsat.ExportStats{Format: "trl", Normalised: 2, Merged: 2, DroppedLeading: 1, SystemMoved: 1}, st)
	var m map[string]any
	require.NoError(t, json.Unmarshal(bytes.SplitN(buf.Bytes(), []byte("\n"), 2)[0], &m))
	assert.Equal(t, []map[string]any{
		{"role": "system", "content": "late rule"},
		{"role": "user", "content": "q1\n\nq1 again"},
	}, msgs(m["prompt"]), "system to the front, greeting dropped, the user messages it separated merged")
}

func TestExportKTODesirable(t *testing.T) {
	var buf bytes.Buffer
	aw := NewAnchorWriter(&buf, FormatKTO)
	good := &dsat.Anchor{Prompt: []dsat.ChatMessage{{Role: "user", Content: "q"}}, Chosen: []dsat.ChatMessage{{Role: "assistant", Content: "a"}}, Desirable: true}
	require.NoError(t, aw.WriteAnchor(good), "a desirable record given to WriteAnchor is written as one")
	require.NoError(t, aw.WriteAnchor(sampleAnchor(false)))
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	require.Len(t, lines, 2)
	var m map[string]any
	require.NoError(t, json.Unmarshal(lines[0], &m))
	assert.Equal(t, true, m["label"])
	assert.Equal(t, []map[string]any{{"role": "assistant", "content": "a"}}, msgs(m["completion"]))
	st := aw.ExportStats()
	assert.Equal(t, int64(1), st.Desirable)
	assert.Equal(t, int64(1), st.Undesirable)

	for _, f := range []Format{FormatDRIFT, FormatTRL, FormatOpenRLHF, FormatLLaMAFactory} {
		var b bytes.Buffer
		assert.ErrorIs(t, NewAnchorWriter(&b, f).WriteDesirable(good), dsat.ErrNotExported, f)
		assert.Zero(t, b.Len())
	}
}

func TestExportLLaMAFactoryToolCalls(t *testing.T) {
	a := sampleAnchor(true)
	a.Prompt = []dsat.ChatMessage{
		{Role: "user", Content: "weather in Oslo?"},
		{Role: "assistant", Content: "Checking.", ToolCalls: []byte(`[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]`)},
		{Role: "tool", Content: `{"temp_c":3}`, ToolCallID: "c1"},
	}
	m, err := exportLine(t, FormatLLaMAFactory, a)
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{
		{"from": "human", "value": "weather in Oslo?"},
		{"from": "function_call", "value": `{"name":"weather","arguments":{"city":"Oslo"}}`},
		{"from": "observation", "value": `{"temp_c":3}`},
	}, msgs(m["conversations"]))

	m, err = exportLine(t, FormatTRL, a)
	require.NoError(t, err)
	p := msgs(m["prompt"])
	require.Len(t, p, 3)
	assert.Equal(t, "c1", p[2]["tool_call_id"])
	assert.Equal(t, "weather", p[1]["tool_calls"].([]any)[0].(map[string]any)["function"].(map[string]any)["name"])
}

func TestExportLLaMAFactory(t *testing.T) {
	_, err := exportLine(t, FormatLLaMAFactory, sampleAnchor(false))
	assert.ErrorIs(t, err, dsat.ErrNotExported)

	m, err := exportLine(t, FormatLLaMAFactory, sampleAnchor(true))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"conversations", "chosen", "rejected"}, keys(m))
	conv := msgs(m["conversations"])
	want := []map[string]any{
		{"from": "system", "value": "sys"},
		{"from": "human", "value": "q1"},
		{"from": "gpt", "value": "a1"},
		{"from": "human", "value": "out\n\nq2a\n\nq2b"},
	}
	assert.Equal(t, want, conv)
	// LLaMA-Factory's sharegpt converter: after the optional system turn,
	// odd positions are human/observation, even ones gpt/function_call,
	// and the prompt ends on the user side.
	turns := conv[1:]
	for i, c := range turns {
		user := c["from"] == "human" || c["from"] == "observation"
		assert.Equal(t, i%2 == 0, user, "turn %d", i)
	}
	assert.Equal(t, 1, len(turns)%2)
	assert.Equal(t, map[string]any{"from": "gpt", "value": "good"}, m["chosen"])
	assert.Equal(t, map[string]any{"from": "gpt", "value": "bad"}, m["rejected"])

	// A leading assistant greeting is dropped; no system turn.
	a := sampleAnchor(true)
	a.Prompt = []dsat.ChatMessage{{Role: "assistant", Content: "hi"}, {Role: "user", Content: "q"}}
	m, err = exportLine(t, FormatLLaMAFactory, a)
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"from": "human", "value": "q"}}, msgs(m["conversations"]))
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		got, err := ParseFormat(string(f))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	got, err := ParseFormat("")
	require.NoError(t, err)
	assert.Equal(t, FormatDRIFT, got)
	_, err = ParseFormat("alpaca")
	assert.ErrorIs(t, err, ErrUnknownFormat)
	_, err = Project(sampleAnchor(true), "alpaca")
	assert.ErrorIs(t, err, ErrUnknownFormat)
}

func TestEventWriter(t *testing.T) {
	var buf bytes.Buffer
	e := dsat.Event{ConversationID: "c", Source: "s", Kind: dsat.KindDSAT, FollowUp: 2, Reply: 1, Request: 0, Turn: 2,
		Score: 0.8, Detector: "heuristics", DetectorVersion: "heuristics/1"}
	require.NoError(t, NewEventWriter(&buf).WriteEvent(&e))
	var m map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	for _, k := range []string{"conversation_id", "source", "kind", "follow_up", "reply", "request", "turn", "score", "detector", "detector_version"} {
		assert.Contains(t, m, k)
	}
}
