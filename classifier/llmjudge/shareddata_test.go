package llmjudge

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/internal/shareddata"
	"github.com/dsatmine/dsatmine/labelled"
)

// TestSharedDataEvidenceVerifies checks, on real labelled follow-ups, that
// the evidence human annotators quoted passes the judge's verbatim check
// after redaction and truncation, and measures prompt sizes.
func TestSharedDataEvidenceVerifies(t *testing.T) {
	// Tokenizing is slow under -race: check a sample of the quotes.
	const maxQuotes = 100
	for _, rel := range []string{"dev/sharegpt-dev.jsonl"} {
		t.Run(rel, func(t *testing.T) {
			path := shareddata.Require(t, rel)
			j, err := New(Config{Endpoint: "http://localhost:1/v1", Model: "m"})
			require.NoError(t, err)
			fh, err := os.Open(path)
			require.NoError(t, err)
			defer fh.Close()
			sc := bufio.NewScanner(fh)
			sc.Buffer(nil, 64<<20)
			var tokens []int64
			var quotes, verified, placeholder int
			redactions := map[string]int64{}
			for quotes < maxQuotes && sc.Scan() {
				var l labelled.Record
				require.NoError(t, jsonx.Unmarshal(sc.Bytes(), &l))
				c := &conversation.Conversation{ID: l.ID, Messages: l.Messages}
				for _, lab := range l.Labels {
					tt := heuristics.NewTurn(c, lab.Turn)
					if validTurn(tt) != nil || lab.Evidence == "" || !strings.Contains(tt.Text(), lab.Evidence) {
						continue // only quotes that are verbatim in the original
					}
					p := j.buildPrompt(tt, redactions)
					tokens = append(tokens, p.tokens)
					quotes++
					s, e, ok := normalize(p.sent).locate(lab.Evidence)
					if !ok {
						continue
					}
					verified++
					if os, oe, ok := p.followUp.original(s, e); ok {
						assert.Equal(t, collapse(lab.Evidence), collapse(tt.Text()[os:oe]))
					} else {
						placeholder++
					}
				}
			}
			require.NoError(t, sc.Err())
			require.NotEmpty(t, tokens)
			slices.Sort(tokens)
			var sum int64
			for _, n := range tokens {
				sum += n
			}
			t.Logf("%d turns: prompt tokens mean %d, p50 %d, p95 %d, max %d; evidence quotes %d, verified %d (%d via placeholder); redactions %v",
				len(tokens), sum/int64(len(tokens)), tokens[len(tokens)/2], tokens[len(tokens)*95/100], tokens[len(tokens)-1],
				quotes, verified, placeholder, redactions)
			assert.LessOrEqual(t, tokens[len(tokens)-1], j.rubricTokens+3*int64(DefaultContextTokens)+200)
			assert.GreaterOrEqual(t, float64(verified), 0.97*float64(quotes), "genuine quotes must verify")
		})
	}
}
