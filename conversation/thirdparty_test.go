package conversation

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// thirdPartyDir holds real chat files from public repositories (with their
// sources and licences in SOURCES.tsv). It is not part of the repository:
// the test reads it when present and is skipped when it is absent.
const thirdPartyDir = "../../shared/data/thirdparty"

// contentCheck compares one message the reader produced with the value at
// a JSON pointer into the raw file (decoded generically, JSON Lines as an
// array of lines), so that no text of the files is copied here.
type contentCheck struct {
	conv, msg int    // conversation and message index; msg -1 is the last message
	pointer   string // "/0/conversations/2/value"
}

// The expected counts were derived independently of the reader, with a
// short Python script over the raw JSON: records and conversations from the
// record list (OpenAssistant: one per root-to-leaf path of non-deleted
// messages in each tree that has its root in the file), follow-ups as user
// turns directly after an assistant turn, roles mapped human/user/prompter
// → user, gpt/assistant/function_call → assistant, observation → tool;
// blank messages left out except a blank assistant turn between two user
// turns; ChatGPT exports along current_node, or along the only leaf;
// preference records as the conversation plus the chosen turn; content
// parts read from text or value of text parts.
var thirdPartyFiles = map[string]struct {
	records, convs, followUps int64
	format                    string
	skipped                   map[string]int64 // expected skips, with the reason they are expected
	why                       string
	checks                    []contentCheck
}{
	"axolotl-conversation.json": {records: 1, convs: 1, followUps: 5, format: "sharegpt",
		checks: []contentCheck{{0, 0, "/0/conversations/0/value"}, {0, 3, "/0/conversations/3/value"}}},
	"axolotl-conversation.missingturns.json": {records: 1, convs: 1, followUps: 5, format: "sharegpt",
		checks: []contentCheck{{0, 1, "/0/conversations/1/value"}, {0, 2, "/0/conversations/2/value"}}},
	"fastchat-dummy_conversation.json": {records: 500, convs: 500, followUps: 500, format: "sharegpt",
		checks: []contentCheck{{0, 2, "/0/conversations/2/value"}, {499, 0, "/499/conversations/0/value"}}},
	"llamafactory-dpo_en_demo.json": {records: 300, convs: 300, followUps: 263, format: "preference",
		checks: []contentCheck{{0, 0, "/0/conversations/0/value"}, {0, -1, "/0/chosen/value"}, {299, -1, "/299/chosen/value"}}},
	"llamafactory-glaive_toolcall_en_demo.json": {records: 300, convs: 300, followUps: 446, format: "sharegpt",
		checks: []contentCheck{{0, 2, "/0/conversations/2/value"}, {0, 4, "/0/conversations/4/value"}}}, // message 3 is a function_call turn: a tool call, no text
	"llamafactory-v1_sft_demo.jsonl": {records: 500, convs: 500, followUps: 0, format: "openai",
		checks: []contentCheck{{0, 0, "/0/messages/0/content/0/value"}, {499, 1, "/499/messages/1/content/0/value"}}},
	"looselips-conversations.json": {records: 5, convs: 5, followUps: 0, format: "chatgpt-export",
		checks: []contentCheck{{0, 0, "/0/mapping/msg1/message/content/parts/0"}, {4, 1, "/4/mapping/msg2/message/content/parts/0"}}},
	"mitkury-example-conversation.json": {records: 1, convs: 1, followUps: 1, format: "chatgpt-export",
		checks: []contentCheck{{0, -1, "/0/mapping/msg-6/message/content/parts/0"}, {0, -2, "/0/mapping/msg-4/message/content/parts/0"}}},
	"msft-stock_toolcall_training.jsonl": {records: 86, convs: 86, followUps: 0, format: "openai",
		checks: []contentCheck{{0, 0, "/0/messages/0/content"}, {0, 1, "/0/messages/1/content"}}},
	"sharegpt92k-0AQp27B_1.json": {records: 1, convs: 1, followUps: 1, format: "sharegpt",
		checks: []contentCheck{{0, 0, "/0/conversations/0/value"}, {0, -1, "/0/conversations/2/value"}}},
	"sharegpt92k-0fDFisQ_0.json": {records: 1, convs: 1, followUps: 0, format: "sharegpt",
		checks: []contentCheck{{0, 0, "/0/conversations/0/value"}, {0, 1, "/0/conversations/1/value"}}},
	"trdd5k-test.jsonl": {records: 525, convs: 525, followUps: 1157, format: "openai",
		checks: []contentCheck{{0, 2, "/0/messages/2/content"}, {524, 0, "/524/messages/0/content"}}},
	"turkunlp-oasst1-en-validation.jsonl": {records: 2022, convs: 979, followUps: 954, format: "oasst",
		skipped: map[string]int64{ReasonEmptyConversation: 3},
		why:     "the English subset of a multilingual set: 3 replies whose trees start with a message in another language, so their root is not in the file",
		checks:  []contentCheck{{0, 0, "/0/text"}}},
}

func TestThirdPartyFiles(t *testing.T) {
	entries, err := os.ReadDir(thirdPartyDir)
	if os.IsNotExist(err) {
		t.Skipf("%s is not present", thirdPartyDir)
	}
	require.NoError(t, err)
	seen := 0
	for _, e := range entries {
		if e.IsDir() || e.Name() == "SOURCES.tsv" {
			continue
		}
		seen++
		t.Run(e.Name(), func(t *testing.T) {
			want, ok := thirdPartyFiles[e.Name()]
			require.True(t, ok, "every file of %s has expected counts here", thirdPartyDir)
			path := filepath.Join(thirdPartyDir, e.Name())
			convs, st, err := readFile(t, path, nil)
			require.NoError(t, err)
			assert.Equal(t, want.records, st.Records)
			assert.Equal(t, want.convs, st.Conversations)
			assert.Equal(t, int64(len(convs)), st.Conversations)
			assert.Equal(t, want.followUps, st.FollowUps)
			skipped := want.skipped
			if skipped == nil {
				skipped = map[string]int64{}
			}
			assert.Equal(t, skipped, st.Skipped, want.why)
			assert.Equal(t, map[string]int64{want.format: want.records}, st.Formats)
			var follow int64
			for _, c := range convs {
				follow += int64(len(c.FollowUps()))
			}
			assert.Equal(t, want.followUps, follow)

			raw := rawFile(t, path)
			for _, ck := range want.checks {
				require.Less(t, ck.conv, len(convs))
				c := convs[ck.conv]
				i := ck.msg
				if i < 0 {
					i += len(c.Messages)
				}
				require.Less(t, i, len(c.Messages))
				v, ok := pointer(raw, ck.pointer).(string)
				require.True(t, ok, "%s is a string", ck.pointer)
				assert.Equal(t, strings.TrimSpace(v), strings.TrimSpace(c.Messages[i].Content), "conversation %d message %d vs %s", ck.conv, ck.msg, ck.pointer)
			}
			if len(skipped) == 0 {
				_, _, err := readFile(t, path, func(r *Reader) { r.Strict = true })
				assert.NoError(t, err, "strict reading succeeds too")
			}
		})
	}
	assert.Len(t, thirdPartyFiles, seen, "every entry here names a file of %s", thirdPartyDir)
}

// rawFile decodes a JSON file generically: a JSON array or object as it is
// (an object as a one-element list), JSON Lines as a list of lines.
func rawFile(t *testing.T, path string) []any {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var v any
	if err := jsonx.Unmarshal(b, &v); err == nil {
		if list, ok := v.([]any); ok {
			return list
		}
		return []any{v}
	}
	var out []any
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var v any
		require.NoError(t, jsonx.Unmarshal([]byte(line), &v))
		out = append(out, v)
	}
	return out
}

// pointer resolves a JSON pointer (without escapes) in v.
func pointer(v any, p string) any {
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		switch x := v.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		case map[string]any:
			v = x[tok]
		default:
			return nil
		}
	}
	return v
}
