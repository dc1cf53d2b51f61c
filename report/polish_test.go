package report

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
)

// The turn-position chart ends at the last follow-up number that occurs;
// the JSON keeps every bucket.
func TestPositionChartDropsEmptyTail(t *testing.T) {
	short := []*conversationT{
		{"s1", []string{"Name a prime.", "Nine.", "That's wrong, nine is not prime.", "Seven."}},
		{"s2", []string{"Capital of France?", "Lyon.", "No.", "Paris.", "That's not what I asked, try again.", "Paris!"}},
	}
	a := NewAggregator(DefaultOptions())
	_, err := a.Mine(context.Background(), newMiner(t), []dsat.Input{&sliceInput{convs: build(short)}})
	require.NoError(t, err)
	r := a.Report()
	require.Len(t, r.Positions, Positions, "the JSON keeps every bucket")
	var page bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	bars := charts(t, page.Bytes())["positions"].Bars
	require.Len(t, bars, 2, "follow-ups reach number 2 only")
	assert.Equal(t, "1", bars[0].Name)
	assert.Equal(t, "2", bars[1].Name)
	assert.Len(t, trimEmptyTail(make([]Group, 3)), 1, "an empty chart keeps one column")
}

type conversationT struct {
	id    string
	texts []string
}

func build(cs []*conversationT) (out []*conversation.Conversation) {
	for _, c := range cs {
		out = append(out, conv(c.id, "m", "English", c.texts...))
	}
	return out
}

// Rejected replies are escaped text in which code fences become code blocks.
func TestReplyHTMLCodeBlocks(t *testing.T) {
	reply := "Use this:\n```python\nif a < b:\n    print(\"<b>x</b>\")\n```\nThen run it & see.\n~~~\nunclosed <code>"
	got := string(replyHTML(reply))
	assert.Equal(t, "Use this:\n"+
		`<pre class="code"><code>if a &lt; b:`+"\n"+`    print(&#34;&lt;b&gt;x&lt;/b&gt;&#34;)</code></pre>`+
		"Then run it &amp; see.\n"+
		`<pre class="code"><code>unclosed &lt;code&gt;</code></pre>`, got)
	assert.NotContains(t, got, "```", "fence lines are not shown")
	assert.Equal(t, "plain &lt;i&gt;text&lt;/i&gt;", string(replyHTML("plain <i>text</i>")))
	// Backticks inside a line are not a fence.
	assert.Equal(t, "call `f()` twice", string(replyHTML("call `f()` twice")))
}

// The sample page shows a fenced rejected reply as a code block.
func TestSampleRejectedCodeBlock(t *testing.T) {
	c := conv("code1", "m", "English", "Reverse a list in Python.", "Here:\n```java\nCollections.reverse(list);\n```",
		"That's wrong, I said Python, not Java.", "my_list.reverse()")
	a := NewAggregator(DefaultOptions())
	_, err := a.Mine(context.Background(), newMiner(t), []dsat.Input{&sliceInput{convs: []*conversation.Conversation{c}}})
	require.NoError(t, err)
	var page bytes.Buffer
	require.NoError(t, a.Report().WriteHTML(&page))
	root := parsePage(t, page.Bytes())
	rej := root.byClass("rejected")
	require.NotEmpty(t, rej)
	codes := rej[0].byName("code")
	require.Len(t, codes, 1)
	assert.Equal(t, "Collections.reverse(list);", codes[0].text.String())
	assert.NotContains(t, rej[0].text.String(), "```")
}

// Cut text ends and starts at word boundaries, never inside a word, and
// keeps the span it must show.
func TestWindowCutsAtWords(t *testing.T) {
	text := strings.Repeat("alpha beta gamma delta ", 20) // 460 bytes
	start, end := window(text, 0, 0, 100)
	assert.Zero(t, start)
	assert.LessOrEqual(t, end, 100)
	assert.Greater(t, end, 50)
	assert.NotEqual(t, byte(' '), text[end-1], "no trailing space")
	assert.Equal(t, byte(' '), text[end], "cut before a space: %q", text[:end])

	lo, hi := 300, 310
	start, end = window(text, lo, hi, 100)
	assert.LessOrEqual(t, start, lo)
	assert.GreaterOrEqual(t, end, hi)
	assert.Equal(t, byte(' '), text[start-1], "starts after a space: %q", text[start:end])

	// Text without spaces keeps rune-boundary cuts.
	cjk := strings.Repeat("满意度", 100)
	start, end = window(cjk, 0, 0, 100)
	assert.Zero(t, start)
	assert.Equal(t, 99, end)
}
