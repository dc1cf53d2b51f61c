package labelled

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
)

func roles(c *conversation.Conversation) string {
	var out []string
	for _, m := range c.Messages {
		out = append(out, string(m.Role))
	}
	return strings.Join(out, " ")
}

func indices(c *conversation.Conversation) []int {
	out := make([]int, len(c.Messages))
	for i, m := range c.Messages {
		out[i] = m.Index
	}
	return out
}

func mustRole(t *testing.T, r conversation.Role) conversation.Role {
	t.Helper()
	got, err := conversation.ParseRole(string(r))
	require.NoError(t, err)
	return got
}

func compressed(t *testing.T, data []byte, kind string) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch kind {
	case "gzip":
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(data)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		require.NoError(t, err)
		_, err = zw.Write(data)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	}
	return buf.Bytes()
}

func TestLabelledReader(t *testing.T) {
	in := `{"id":"l1","source":"test","messages":[{"role":"human","content":"do X"},{"role":"assistant","content":""},` +
		`{"role":"assistant","content":"done"},{"role":"user","content":"no, I meant Y"}],` +
		`"labels":[{"turn":3,"dsat":true,"categories":["correction"],"evidence":"I meant Y"}]}` + "\n" +
		`{"id":"l2","source":"test","messages":[{"role":"alien","content":"?"}],"labels":[]}` + "\n" +
		`{"id":"l3","source":"test","messages":[{"role":"user","content":"a"}],"labels":[{"turn":5,"dsat":false}]}` + "\n" +
		`{"id":"l4","source":"test","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"c1"}]}],"labels":[]}` + "\n"
	for _, kind := range []string{"plain", "gzip", "zstd"} {
		t.Run(kind, func(t *testing.T) {
			data := []byte(in)
			if kind != "plain" {
				data = compressed(t, data, kind)
			}
			r := NewReader(bytes.NewReader(data), "labels.jsonl")
			defer r.Close()
			ctx := context.Background()
			l, err := r.Next(ctx)
			require.NoError(t, err)
			assert.Equal(t, "l1", l.ID)
			require.Len(t, l.Labels, 1)
			assert.Equal(t, Label{Turn: 3, DSAT: true, Categories: []string{"correction"}, Evidence: "I meant Y"}, l.Labels[0])
			c := l.Conversation()
			assert.Equal(t, "l1", c.ID)
			assert.Equal(t, "test", c.Source)
			assert.Equal(t, "user assistant user", roles(c), "roles normalised, empty message dropped")
			assert.Equal(t, []int{0, 2, 3}, indices(c), "indices are the original ones labels refer to")
			assert.Equal(t, []int{2}, c.FollowUps())
			assert.Equal(t, 3, c.Messages[c.FollowUps()[0]].Index)

			_, err = r.Next(ctx)
			var pe *conversation.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, conversation.ReasonUnknownRole, pe.Reason)
			assert.Equal(t, 2, pe.Line)

			_, err = r.Next(ctx)
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, conversation.ReasonInvalidLabel, pe.Reason)
			assert.Equal(t, 3, pe.Line)

			l, err = r.Next(ctx)
			require.NoError(t, err)
			assert.Equal(t, "l4", l.ID)
			assert.Equal(t, "a\nb", l.Messages[0].Content)
			assert.Equal(t, `[{"id":"c1"}]`, string(l.Messages[1].ToolCalls))
			assert.Equal(t, "user assistant", roles(l.Conversation()), "a tool-call message is not empty")
			_, err = r.Next(ctx)
			assert.ErrorIs(t, err, io.EOF)
		})
	}
}

func TestLabelledReaderTestdata(t *testing.T) {
	files, _ := filepath.Glob("../testdata/labelled/*.jsonl")
	if len(files) == 0 {
		t.Skip("no labelled testdata in this tree yet")
	}
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		r := NewReader(fh, f)
		n := 0
		for {
			l, err := r.Next(context.Background())
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			c := l.Conversation()
			for _, lb := range l.Labels {
				assert.Equal(t, conversation.User, mustRole(t, l.Messages[lb.Turn].Role), "%s: %s turn %d", f, l.ID, lb.Turn)
			}
			assert.NotEmpty(t, c.Messages)
			n++
		}
		assert.Positive(t, n, f)
		require.NoError(t, fh.Close())
	}
}

// FuzzLabelled fuzzes the labelled-conversation reader.
func FuzzLabelled(f *testing.F) {
	names, _ := filepath.Glob("../testdata/labelled/*.jsonl")
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"id":"x","messages":[{"role":"user","content":"a"}],"labels":[{"turn":7,"dsat":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.jsonl")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for {
			lc, err := r.Next(ctx)
			if err == io.EOF {
				return
			}
			if err != nil {
				if _, ok := err.(*conversation.ParseError); ok {
					continue
				}
				return // a fatal error ends the stream; it must not panic
			}
			for _, l := range lc.Labels {
				if l.Turn < 0 || l.Turn >= len(lc.Messages) {
					t.Fatalf("label turn %d outside %d messages", l.Turn, len(lc.Messages))
				}
			}
		}
	})
}
