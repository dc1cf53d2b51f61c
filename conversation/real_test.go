package conversation

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realDataDir holds externally written logs that may be absent; each case
// skips only itself when its file is missing.
const realDataDir = "../../shared/data/real"

func TestRealLogs(t *testing.T) {
	cases := []struct {
		file          string
		format        string
		conversations int64
		records       int64
	}{
		{"sharegpt-sample.json", "sharegpt", 491, 491},
		{"hh-rlhf-harmless-test.jsonl.gz", "hh-rlhf", 2312, 2312},
		{"oasst-en100-trees.jsonl", "oasst", -1, 100},
		{"oasst-en100-messages.jsonl", "oasst", -1, 100},
	}
	var oasst []*Conversation
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(realDataDir, tc.file)
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s not present", path)
			}
			convs, st, err := readFile(t, path, func(r *Reader) { r.Strict = true })
			require.NoError(t, err)
			assert.Empty(t, st.Skipped)
			assert.Empty(t, st.Repaired)
			assert.Equal(t, tc.records, st.Records)
			assert.Equal(t, map[string]int64{tc.format: tc.records}, st.Formats)
			if tc.conversations >= 0 {
				assert.Equal(t, tc.conversations, st.Conversations)
			} else {
				assert.Greater(t, st.Conversations, tc.records, "several paths per tree")
			}
			assert.Equal(t, st.Conversations, int64(len(convs)))
			ids := make(map[string]bool, len(convs))
			for _, c := range convs {
				require.NotEmpty(t, c.Messages)
				ids[c.ID] = true
			}
			if tc.format != "sharegpt" { // ShareGPT dumps repeat ids across split parts
				assert.Len(t, ids, len(convs), "ids are unique")
			}
			if tc.format == "oasst" {
				if oasst != nil {
					// The two OASST layouts hold the same trees.
					require.Len(t, convs, len(oasst))
					for i := range convs {
						assert.Equal(t, oasst[i].ID, convs[i].ID)
						assert.Equal(t, oasst[i].Messages, convs[i].Messages)
					}
				}
				oasst = convs
			}
		})
	}
}
