package export

// Loader checks: every export of every fixture must pass the checks that
// each trainer's own loader applies to the file. The checks re-implement,
// in Go, what we read in the trainers' source at these versions:
//
//   - TRL 1.10.0.dev0 (huggingface/trl@f2cd57710ae345ea6428ae95363267fcf38a3dc8),
//     trl/data_utils.py: is_conversational, apply_chat_template (the key sets
//     it accepts and the roles a prompt may end with).
//   - OpenRLHF v0.11.0 (OpenRLHF/OpenRLHF@3c3be6234e0cb353e76bb8019947db9dfe99fca7),
//     openrlhf/cli/train_dpo.py (the --data.* options) and
//     openrlhf/datasets/reward_dataset.py: preprocess_data with prompt_key
//     and apply_chat_template.
//   - LLaMA-Factory 0.9.6.dev0 (hiyouga/LLaMA-Factory@ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30),
//     src/llamafactory/data/parser.py: DatasetAttr.join (how "columns"
//     sets the column names), src/llamafactory/data/converter.py:
//     SharegptDatasetConverter (role positions, turn count, ranking), with
//     the dataset_info.json entry README.md gives.
//   - The Gemma chat templates (google/gemma-2-*, gemma-3-*
//     tokenizer_config.json chat_template): "Conversation roles must
//     alternate user/assistant/user/assistant/...", after an optional
//     system message.
//
// The README's snippets are read by these tests, so they are the ones the
// checks mirror.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
)

// loaderFixtures lists the bundled fixtures and, when present, the
// third-party files beside the repository.
func loaderFixtures(t *testing.T) []string {
	var files []string
	for _, pat := range []string{"../testdata/sample/*.json*", "../testdata/formats/*.json*", "../testdata/exports/*.json*"} {
		m, err := filepath.Glob(pat)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	third, _ := filepath.Glob("../../shared/data/thirdparty/*.json*")
	if len(third) == 0 {
		t.Log("../shared/data/thirdparty not present: third-party fixtures not checked")
	}
	return append(files, third...)
}

// exportFixture mines path and writes it in format; it returns the lines.
func exportFixture(t *testing.T, path string, format Format, drift bool) ([]map[string]any, *dsat.Stats) {
	return exportFixtureRoles(t, path, format, drift, false)
}

// teeSink hands every anchor to several writers; a writer's ErrNotExported
// (a layout that cannot hold the anchor) leaves the others unaffected.
// Run deduplicates before its sink, so each writer receives exactly what a
// run of its own would have given it.
type teeSink []*AnchorWriter

func (ts teeSink) WriteAnchor(a *dsat.Anchor) error {
	for _, aw := range ts {
		if err := aw.WriteAnchor(a); err != nil && !errors.Is(err, dsat.ErrNotExported) {
			return err
		}
	}
	return nil
}

// exportFixtureFormats mines path once and writes its anchors in each of
// formats, which must share the miner's configuration (not kto, which also
// mines desirable replies); it returns the lines per format.
func exportFixtureFormats(t *testing.T, path string, drift bool, formats ...Format) map[Format][]map[string]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := conversation.NewReader(f, path)
	defer r.Close()
	cfg := dsat.DefaultConfig()
	cfg.Workers = 1
	cfg.DRIFTPairing = drift
	m, err := dsat.NewMiner(cfg)
	require.NoError(t, err)
	bufs := make([]bytes.Buffer, len(formats))
	var tee teeSink
	for i, format := range formats {
		require.NotEqual(t, FormatKTO, format)
		tee = append(tee, NewAnchorWriter(&bufs[i], format))
	}
	_, err = m.Run(context.Background(), []dsat.Input{r}, dsat.Sinks{Anchors: tee})
	require.NoError(t, err, path)
	out := map[Format][]map[string]any{}
	for i, format := range formats {
		out[format] = jsonLines(t, bufs[i].Bytes(), path)
	}
	return out
}

func jsonLines(t *testing.T, b []byte, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal(line, &rec), path)
		out = append(out, rec)
	}
	return out
}

func exportFixtureRoles(t *testing.T, path string, format Format, drift, keepRoles bool) ([]map[string]any, *dsat.Stats) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := conversation.NewReader(f, path)
	defer r.Close()
	cfg := dsat.DefaultConfig()
	cfg.Workers = 1
	cfg.DRIFTPairing = drift
	cfg.Desirable = format == FormatKTO
	m, err := dsat.NewMiner(cfg)
	require.NoError(t, err)
	var buf bytes.Buffer
	aw := NewAnchorWriter(&buf, format)
	aw.KeepRoles = keepRoles
	st, err := m.Run(context.Background(), []dsat.Input{r}, dsat.Sinks{Anchors: aw})
	require.NoError(t, err, path)
	return jsonLines(t, buf.Bytes(), path), st
}

type chatMsg = map[string]any

func messageList(v any) ([]chatMsg, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list: %T", v)
	}
	var out []chatMsg
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("message %d is %T, not a dict", i, x)
		}
		if _, ok := m["role"].(string); !ok {
			return nil, fmt.Errorf("message %d has no role", i)
		}
		if _, ok := m["content"].(string); !ok {
			return nil, fmt.Errorf("message %d has no string content", i)
		}
		out = append(out, m)
	}
	return out, nil
}

func role(m chatMsg) string { return m["role"].(string) }

// trlCheck mirrors trl/data_utils.py: is_conversational takes one of the
// supported keys and needs a list whose first element is a dict with
// "role"; apply_chat_template accepts only the listed key sets, and a
// prompt must end with a user or tool message (assistant would continue
// the final message instead of starting the reply; anything else raises
// "Invalid role in the last message").
func trlCheck(rec map[string]any, wantKeys []string) error {
	supported := []string{"prompt", "chosen", "rejected", "completion", "messages", "label"}
	var keys []string
	for k := range rec {
		if slices.Contains(supported, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, wantKeys) {
		return fmt.Errorf("keys %v, want %v (apply_chat_template raises Invalid keys)", keys, wantKeys)
	}
	for _, k := range []string{"prompt", "chosen", "rejected", "completion"} {
		v, ok := rec[k]
		if !ok {
			continue
		}
		ms, err := messageList(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if len(ms) == 0 {
			return fmt.Errorf("%s is empty (is_conversational indexes [0])", k)
		}
		if k != "prompt" {
			for _, m := range ms {
				if role(m) != "assistant" {
					return fmt.Errorf("%s holds a %s message", k, role(m))
				}
			}
		}
	}
	prompt, _ := messageList(rec["prompt"])
	if last := role(prompt[len(prompt)-1]); last != "user" && last != "tool" {
		return fmt.Errorf("prompt ends with %s, not user or tool", last)
	}
	if l, ok := rec["label"]; ok {
		if _, isBool := l.(bool); !isBool {
			return fmt.Errorf("label %v is not a bool", l)
		}
	}
	return nil
}

// openRLHFCheck mirrors preprocess_data of reward_dataset.py with the
// options of readmeOpenRLHFFlags: data[prompt_key] is rendered with
// add_generation_prompt=True, and data[prompt_key] + data[chosen_key] (a
// list concatenation) is rendered and cut after the prompt; so the three
// keys must hold message lists and the prompt must end where a reply
// starts.
func openRLHFCheck(rec map[string]any, flags map[string]string) error {
	if _, ok := flags["--data.apply_chat_template"]; !ok {
		return fmt.Errorf("without --data.apply_chat_template message lists are not rendered")
	}
	pk, ck, rk := flags["--data.prompt_key"], flags["--data.chosen_key"], flags["--data.rejected_key"]
	if pk == "" {
		return fmt.Errorf("without --data.prompt_key the prompt renders empty")
	}
	for _, k := range []string{pk, ck, rk} {
		v, ok := rec[k]
		if !ok {
			return fmt.Errorf("no %q key", k)
		}
		ms, err := messageList(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if len(ms) == 0 {
			return fmt.Errorf("%s is empty", k)
		}
	}
	prompt, _ := messageList(rec[pk])
	if last := role(prompt[len(prompt)-1]); last != "user" && last != "tool" {
		return fmt.Errorf("prompt ends with %s: the generation prompt would not start a reply", last)
	}
	return nil
}

// gemmaCheck mirrors the Gemma templates' alternation rule on prompt +
// reply: after an optional first system message, user at even positions
// and assistant at odd ones. The templates have no tool role, so records
// with tool messages are left to toolAlternation; the function reports
// whether it applied.
func gemmaCheck(prompt, reply []chatMsg) (bool, error) {
	all := append(slices.Clone(prompt), reply...)
	for _, m := range all {
		if role(m) == "tool" || m["tool_calls"] != nil {
			return false, nil
		}
	}
	if len(all) > 0 && role(all[0]) == "system" {
		all = all[1:]
	}
	for i, m := range all {
		if (role(m) == "user") != (i%2 == 0) || (role(m) != "user" && role(m) != "assistant") {
			return true, fmt.Errorf("Conversation roles must alternate: message %d is %s", i, role(m))
		}
	}
	return true, nil
}

// toolAlternation is the same rule for conversations with tools, as the
// templates that know a tool role apply it: one system message at most,
// first; the first other message the user's; no two user or two assistant
// messages in a row; and every tool message after an assistant tool call
// or another tool message.
func toolAlternation(msgs []chatMsg) error {
	for i, m := range msgs {
		r := role(m)
		switch {
		case r == "system" && i > 0:
			return fmt.Errorf("system message at %d", i)
		case r == "system":
		case i == 0 || (i == 1 && role(msgs[0]) == "system"):
			if r != "user" {
				return fmt.Errorf("first message is %s", r)
			}
		case r == role(msgs[i-1]) && r != "tool":
			return fmt.Errorf("two %s messages in a row at %d", r, i)
		case r == "tool" && role(msgs[i-1]) != "tool" && msgs[i-1]["tool_calls"] == nil:
			return fmt.Errorf("tool output at %d without a call before it", i)
		}
	}
	return nil
}

// lfAttr is the part of LLaMA-Factory's DatasetAttr the sharegpt ranking
// path uses, set as DatasetAttr.join sets it.
type lfAttr struct {
	formatting                  string
	ranking                     bool
	messages, chosen, rejected  string // "" is None
	roleTag, contentTag         string
	userTag, assistantTag       string
	observationTag, functionTag string
	systemTag                   string
}

func lfJoin(entry map[string]any) lfAttr {
	a := lfAttr{formatting: "alpaca", messages: "conversations", roleTag: "from", contentTag: "value",
		userTag: "human", assistantTag: "gpt", observationTag: "observation", functionTag: "function_call", systemTag: "system"}
	if f, ok := entry["formatting"].(string); ok {
		a.formatting = f
	}
	a.ranking, _ = entry["ranking"].(bool)
	if cols, ok := entry["columns"].(map[string]any); ok {
		// set_attr(column_name, attr["columns"]) for every column name:
		// a name not listed becomes None, including "messages".
		get := func(k string) string { s, _ := cols[k].(string); return s }
		a.messages, a.chosen, a.rejected = get("messages"), get("chosen"), get("rejected")
	}
	return a
}

// lfConvert mirrors SharegptDatasetConverter.__call__ for a ranking
// example; it returns why the example would be skipped or fail.
func lfConvert(a lfAttr, ex map[string]any) error {
	if a.formatting != "sharegpt" || !a.ranking {
		return fmt.Errorf("entry is not sharegpt ranking")
	}
	if a.messages == "" {
		return fmt.Errorf("messages column is None")
	}
	raw, ok := ex[a.messages].([]any)
	if !ok {
		return fmt.Errorf("no %q list", a.messages)
	}
	turns := make([]map[string]any, len(raw))
	for i, x := range raw {
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("turn %d is not a dict", i)
		}
		if _, ok := m[a.contentTag].(string); !ok {
			return fmt.Errorf("turn %d has no string %q", i, a.contentTag)
		}
		turns[i] = m
	}
	if len(turns) > 0 && turns[0][a.roleTag] == a.systemTag {
		turns = turns[1:]
	}
	odd := []string{a.userTag, a.observationTag}
	even := []string{a.assistantTag, a.functionTag}
	for i, m := range turns {
		tag, _ := m[a.roleTag].(string)
		accept := odd
		if i%2 == 1 {
			accept = even
		}
		if !slices.Contains(accept, tag) {
			return fmt.Errorf("invalid role tag %q at turn %d", tag, i)
		}
	}
	if len(turns)%2 == 0 {
		return fmt.Errorf("invalid message count %d (ranking needs an odd count)", len(turns))
	}
	if a.chosen == "" || a.rejected == "" {
		return fmt.Errorf("chosen or rejected column is None: every row fails")
	}
	for _, k := range []string{a.chosen, a.rejected} {
		m, ok := ex[k].(map[string]any)
		if !ok {
			return fmt.Errorf("%q is not a dict", k)
		}
		if !slices.Contains(even, fmt.Sprint(m[a.roleTag])) {
			return fmt.Errorf("invalid role tag in %s", k)
		}
		if _, ok := m[a.contentTag].(string); !ok {
			return fmt.Errorf("%s has no string value", k)
		}
	}
	return nil
}

// readmeBlock returns the first fenced block of README.md that contains
// marker.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, m := range regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		if strings.Contains(m[1], marker) {
			return m[1]
		}
	}
	t.Fatalf("README.md has no code block with %q", marker)
	return ""
}

// readmeLLaMAFactoryEntry is the dataset_info.json entry README gives.
func readmeLLaMAFactoryEntry(t *testing.T) map[string]any {
	var info map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(readmeBlock(t, `"ranking": true`)), &info), "README's dataset_info.json snippet is JSON")
	require.Len(t, info, 1)
	for _, e := range info {
		return e
	}
	return nil
}

// openRLHFOptions are the --data.* options of train_dpo.py at v0.11.0.
var openRLHFOptions = []string{"--data.dataset", "--data.dataset_probs", "--data.dataset_split", "--data.max_samples",
	"--data.prompt_key", "--data.chosen_key", "--data.rejected_key", "--data.input_template", "--data.apply_chat_template",
	"--data.tokenizer_chat_template", "--data.max_len", "--data.disable_fast_tokenizer", "--data.dataloader_num_workers"}

// readmeOpenRLHFFlags parses the --data.* flags of README's OpenRLHF command.
func readmeOpenRLHFFlags(t *testing.T) map[string]string {
	block := readmeBlock(t, "openrlhf.cli.train_dpo")
	fields := strings.Fields(strings.ReplaceAll(block, "\\\n", " "))
	flags := map[string]string{}
	for i, f := range fields {
		if !strings.HasPrefix(f, "--data.") {
			continue
		}
		require.Contains(t, openRLHFOptions, f, "README's OpenRLHF flag %s is an option of train_dpo.py v0.11.0", f)
		v := ""
		if i+1 < len(fields) && !strings.HasPrefix(fields[i+1], "--") {
			v = fields[i+1]
		}
		flags[f] = v
	}
	return flags
}

func TestLoaderChecksAgreeWithUpstreamFailures(t *testing.T) {
	// The checks must catch what the loaders reject, or they prove nothing.
	good := map[string]any{
		"prompt":   []any{map[string]any{"role": "user", "content": "q"}},
		"chosen":   []any{map[string]any{"role": "assistant", "content": "a"}},
		"rejected": []any{map[string]any{"role": "assistant", "content": "b"}},
	}
	require.NoError(t, trlCheck(good, []string{"chosen", "prompt", "rejected"}))
	bad := map[string]any{"prompt": []any{map[string]any{"role": "user", "content": "q"}, map[string]any{"role": "assistant", "content": "x"}},
		"chosen": good["chosen"], "rejected": good["rejected"]}
	assert.Error(t, trlCheck(bad, []string{"chosen", "prompt", "rejected"}), "prompt ending with assistant")
	assert.Error(t, trlCheck(good, []string{"completion", "label", "prompt"}), "wrong key set")

	assert.Error(t, openRLHFCheck(good, map[string]string{"--data.prompt_key": "prompt", "--data.chosen_key": "chosen", "--data.rejected_key": "rejected"}),
		"no --data.apply_chat_template")
	assert.Error(t, openRLHFCheck(good, map[string]string{"--data.apply_chat_template": "", "--data.chosen_key": "chosen", "--data.rejected_key": "rejected"}),
		"no prompt key")

	ok, err := gemmaCheck([]chatMsg{{"role": "user", "content": "a"}, {"role": "user", "content": "b"}}, []chatMsg{{"role": "assistant", "content": "c"}})
	assert.True(t, ok)
	assert.Error(t, err)

	ex := map[string]any{
		"conversations": []any{map[string]any{"from": "human", "value": "q"}},
		"chosen":        map[string]any{"from": "gpt", "value": "a"},
		"rejected":      map[string]any{"from": "gpt", "value": "b"},
	}
	full := map[string]any{"formatting": "sharegpt", "ranking": true,
		"columns": map[string]any{"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}}
	require.NoError(t, lfConvert(lfJoin(full), ex))
	assert.Error(t, lfConvert(lfJoin(map[string]any{"formatting": "sharegpt", "ranking": true}), ex),
		"without columns chosen is None")
	assert.Error(t, lfConvert(lfJoin(map[string]any{"formatting": "sharegpt", "ranking": true,
		"columns": map[string]any{"chosen": "chosen", "rejected": "rejected"}}), ex), "columns without messages")
	ex["conversations"] = []any{map[string]any{"from": "human", "value": "q"}, map[string]any{"from": "human", "value": "r"}}
	assert.Error(t, lfConvert(lfJoin(full), ex), "two human turns")
}

func TestExportsPassTrainerLoaders(t *testing.T) {
	entry := readmeLLaMAFactoryEntry(t)
	attr := lfJoin(entry)
	orFlags := readmeOpenRLHFFlags(t)
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), `load_dataset("json", data_files=`, "README gives TRL's Python loading line")

	counts := map[Format]int{}
	gemmaSkipped, withTools := 0, 0
	for _, path := range loaderFixtures(t) {
		for _, drift := range []bool{false, true} {
			// One run for the pairwise layouts (they share the miner's
			// configuration), one for kto.
			byFormat := exportFixtureFormats(t, path, drift, FormatTRL, FormatOpenRLHF, FormatLLaMAFactory)
			byFormat[FormatKTO], _ = exportFixture(t, path, FormatKTO, drift)
			for _, format := range []Format{FormatTRL, FormatKTO, FormatOpenRLHF, FormatLLaMAFactory} {
				recs := byFormat[format]
				for i, rec := range recs {
					where := fmt.Sprintf("%s %s (drift pairing %t) row %d", filepath.Base(path), format, drift, i+1)
					counts[format]++
					var replies [][]chatMsg
					switch format {
					case FormatTRL:
						require.NoError(t, trlCheck(rec, []string{"chosen", "prompt", "rejected"}), where)
						c, _ := messageList(rec["chosen"])
						r, _ := messageList(rec["rejected"])
						replies = [][]chatMsg{c, r}
					case FormatKTO:
						require.NoError(t, trlCheck(rec, []string{"completion", "label", "prompt"}), where)
						c, _ := messageList(rec["completion"])
						replies = [][]chatMsg{c}
					case FormatOpenRLHF:
						require.NoError(t, openRLHFCheck(rec, orFlags), where)
						c, _ := messageList(rec["chosen"])
						r, _ := messageList(rec["rejected"])
						replies = [][]chatMsg{c, r}
					case FormatLLaMAFactory:
						require.NoError(t, lfConvert(attr, rec), where)
						continue
					}
					prompt, _ := messageList(rec["prompt"])
					for _, reply := range replies {
						applied, err := gemmaCheck(prompt, reply)
						require.NoError(t, err, where)
						if !applied {
							gemmaSkipped++
						}
						require.NoError(t, toolAlternation(append(slices.Clone(prompt), reply...)), where)
					}
					if slices.ContainsFunc(prompt, func(m chatMsg) bool { return role(m) == "tool" }) {
						withTools++
					}
				}
			}
		}
	}
	t.Logf("rows checked: %v; with tool messages: %d", counts, withTools)
	for _, f := range []Format{FormatTRL, FormatKTO, FormatOpenRLHF, FormatLLaMAFactory} {
		assert.Positive(t, counts[f], "%s: some rows checked", f)
	}
	assert.Positive(t, withTools, "some prompts keep tool calls and outputs")
	assert.Positive(t, gemmaSkipped, "rows with tools are checked by toolAlternation only")
}

func TestPromptKeepsToolCallBeforeRejected(t *testing.T) {
	// In the sample, the reply to "I meant Berlin, New Hampshire" followed a
	// weather call: the call and its output stay in the prompt.
	recs, _ := exportFixture(t, "../testdata/sample/openai-sample.jsonl", FormatDRIFT, false)
	found := 0
	for _, rec := range recs {
		prompt, err := messageList(rec["prompt"])
		require.NoError(t, err)
		// Every tool output in a prompt has its call before it, and every
		// call its output after it.
		calls := map[string]bool{}
		for i, m := range prompt {
			if tc, ok := m["tool_calls"].([]any); ok {
				for _, c := range tc {
					calls[c.(map[string]any)["id"].(string)] = true
				}
				require.Less(t, i+1, len(prompt), "a call is followed by its output")
				assert.Equal(t, "tool", role(prompt[i+1]))
			}
			if role(m) == "tool" {
				assert.True(t, calls[m["tool_call_id"].(string)], "tool output %v has its call in the prompt", m["tool_call_id"])
			}
		}
		if role(prompt[len(prompt)-1]) == "tool" {
			found++
		}
	}
	assert.Positive(t, found, "some rejected replies followed a tool call")
}

func TestNormalisationIsWhatMakesExportsLoad(t *testing.T) {
	// testdata/exports/roles.jsonl holds the shapes that chat templates
	// reject; written as logged (--keep-roles) they fail the checks, and
	// role normalisation is what makes them pass.
	const path = "../testdata/exports/roles.jsonl"
	failures := 0
	for _, format := range []Format{FormatTRL, FormatOpenRLHF} {
		recs, _ := exportFixtureRoles(t, path, format, false, true)
		require.NotEmpty(t, recs)
		for _, rec := range recs {
			prompt, _ := messageList(rec["prompt"])
			c, _ := messageList(rec["chosen"])
			r, _ := messageList(rec["rejected"])
			for _, reply := range [][]chatMsg{c, r} {
				_, gerr := gemmaCheck(prompt, reply)
				if gerr != nil || toolAlternation(append(slices.Clone(prompt), reply...)) != nil {
					failures++
				}
			}
		}
		recs, st := exportFixture(t, path, format, false)
		require.NotNil(t, st.Export)
		assert.Equal(t, string(format), st.Export.Format)
		assert.EqualValues(t, len(recs), st.Anchors)
		assert.Positive(t, st.Export.Normalised)
		assert.Positive(t, st.Export.Merged)
		assert.Positive(t, st.Export.DroppedLeading)
		assert.Positive(t, st.Export.SystemMoved)
	}
	assert.Positive(t, failures, "messages as logged break alternation")

	recs, st := exportFixture(t, path, FormatKTO, false)
	require.NotNil(t, st.Export)
	labels := map[bool]int64{}
	for _, rec := range recs {
		labels[rec["label"].(bool)]++
	}
	assert.Positive(t, st.Export.Desirable)
	assert.Equal(t, st.Export.Desirable, labels[true], "desirable rows counted")
	assert.Equal(t, st.Export.Undesirable, labels[false], "undesirable rows counted")
}
