package llmjudge

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		kinds    map[string]int64
	}{
		{"mail me at a.b+c@mail.example.co.uk today", "mail me at <EMAIL> today", map[string]int64{KindEmail: 1}},
		{"OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwx12", "OPENAI_API_KEY=<API_KEY>", map[string]int64{KindAPIKey: 1}},
		{"token ghp_0123456789abcdefghijABCDEFGHIJklmnop ok", "token <API_KEY> ok", map[string]int64{KindAPIKey: 1}},
		{"aws AKIAIOSFODNN7EXAMPLE key", "aws <API_KEY> key", map[string]int64{KindAPIKey: 1}},
		{"Authorization: Bearer abcDEF123456ghiJKL789", "Authorization: Bearer <TOKEN>", map[string]int64{KindToken: 1}},
		{"Authorization: Bearer sk-abcdefghijklmnopqrstuvwx12", "Authorization: Bearer <API_KEY>", map[string]int64{KindAPIKey: 1}},
		{"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
			"jwt <TOKEN>", map[string]int64{KindToken: 1}},
		{"call (555) 123-4567 or 555.123.4567", "call <PHONE> or <PHONE>", map[string]int64{KindPhone: 2}},
		{"ring +49 30 901820 now", "ring <PHONE> now", map[string]int64{KindPhone: 1}},
		{"secret 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 end", "secret <SECRET> end", map[string]int64{KindSecret: 1}},
		{"key=Zx8Qp2Lm7Rt4Vb9Nc3Kd6Hf1Jg5Ws0Ey2Ua8Io4", "key=<SECRET>", map[string]int64{KindSecret: 1}},
		// Things that must stay.
		{"It weighs 1.6 kg and costs 1200 dollars in 2023-01-15.", "", nil},
		{"use getUserAccountSettingsFromDatabase2024Version please", "", nil},
		{"the_quick_brown_fox_jumps_over_the_lazy_dog_2024_edition", "", nil},
		{"ffffffffffffffffffffffffffffffffffff and 12345678901234567890123456789012", "", nil},
		{"version 1.2.3, port 8080, numbers 10 20 30 40", "", nil},
		{"risk-free task-management is a long-term goal", "", nil},
	} {
		counts := map[string]int64{}
		got := redact(tc.in, counts)
		want := tc.want
		if want == "" {
			want = tc.in
			tc.kinds = map[string]int64{}
		}
		assert.Equal(t, want, got.text, tc.in)
		assert.Equal(t, tc.kinds, counts, tc.in)
	}
}

func TestRedactedOriginalOffsets(t *testing.T) {
	in := "a@b.io wrote: call +1 415 555 0100, then ok. x@y.org"
	r := redact(in, nil)
	assert.Equal(t, "<EMAIL> wrote: call <PHONE>, then ok. <EMAIL>", r.text)
	for _, part := range []string{" wrote: call ", ", then ok. ", "then"} {
		i := strings.Index(r.text, part)
		s, e, ok := r.original(i, i+len(part))
		if assert.True(t, ok, part) {
			assert.Equal(t, part, in[s:e])
		}
	}
	i := strings.Index(r.text, "call <PHONE>")
	_, _, ok := r.original(i, i+len("call <PHONE>"))
	assert.False(t, ok, "a range that touches a placeholder has no original")
}

func TestNormalizeLocate(t *testing.T) {
	n := normalize("  No,\tthat's\n\n wrong — try  again. ")
	assert.Equal(t, "No, that's wrong — try again.", n.text)
	src := "  No,\tthat's\n\n wrong — try  again. "
	for q, want := range map[string]string{
		"that's wrong":       "that's\n\n wrong",
		"\"try again\"":      "try  again",
		"wrong — try again…": "wrong — try  again",
		"No,":                "No,",
	} {
		s, e, ok := n.locate(q)
		if assert.True(t, ok, q) {
			assert.Equal(t, want, src[s:e], q)
		}
	}
	for _, q := range []string{"That's wrong", "try again!", "", "\"\"", "wrong - try"} {
		_, _, ok := n.locate(q)
		assert.False(t, ok, q)
	}
}

func TestExtractJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:                               `{"a":1}`,
		"```json\n{\"a\":1}\n```":               `{"a":1}`,
		"Sure! {\"a\":{\"b\":2}} Hope it helps": `{"a":{"b":2}}`,
		"<think>hmm {no}</think>{\"a\":1}":      `{"a":1}`,
		"no json here":                          "no json here",
	} {
		assert.Equal(t, want, string(extractJSON(in)), in)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := mustTime("Sun, 01 Mar 2026 12:00:00 GMT")
	for in, want := range map[string]int64{"0": 0, "2": 2, " 1.5 ": 1, "Sun, 01 Mar 2026 12:00:09 GMT": 9, "Sun, 01 Mar 2026 11:00:00 GMT": 0, "86400": 300} {
		d, ok := parseRetryAfter(in, now)
		assert.True(t, ok, in)
		assert.Equal(t, want, int64(d.Seconds()), in)
	}
	for _, in := range []string{"", "soon", "-3"} {
		_, ok := parseRetryAfter(in, now)
		assert.False(t, ok, in)
	}
}
