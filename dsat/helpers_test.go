package dsat

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// tagDetector emits one signal per "#category=score" tag in the follow-up,
// with the tag as evidence: "#sat=0.9" is satisfaction, "#extension=0.8" a
// refinement marked as an extension.
type tagDetector struct{}

var tagRE = regexp.MustCompile(`#([a-z]+)=([0-9.]+)`)

func (tagDetector) Name() string { return "tags" }

func (tagDetector) Detect(t *heuristics.Turn, dst []heuristics.Signal) []heuristics.Signal {
	text := t.Text()
	for _, m := range tagRE.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		score, _ := strconv.ParseFloat(text[m[4]:m[5]], 64)
		s := heuristics.Signal{
			Polarity: heuristics.DSAT, Category: heuristics.Category(name), Score: score,
			Evidence: []heuristics.Span{{Start: m[0], End: m[1], Text: text[m[0]:m[1]]}},
			Detector: "tags", Cue: "tag " + name,
		}
		switch name {
		case "sat":
			s.Polarity, s.Category = heuristics.SAT, ""
		case "extension":
			s.Category, s.Cue = heuristics.Refinement, ExtensionCue+": tag"
		}
		dst = append(dst, s)
	}
	return dst
}

// emptyEngine returns an engine without lexicons, so that only the tag
// detector decides in policy tests.
func emptyEngine(t testing.TB) *heuristics.Engine {
	t.Helper()
	e, err := heuristics.NewEngine(heuristics.Options{Languages: []string{}})
	require.NoError(t, err)
	return e
}

// testConfig is DefaultConfig with the tag detector and no lexicons.
func testConfig(t testing.TB) Config {
	cfg := DefaultConfig()
	cfg.Engine = emptyEngine(t)
	cfg.Detectors = []heuristics.Detector{tagDetector{}}
	return cfg
}

func newTestMiner(t testing.TB, mod func(*Config)) *Miner {
	t.Helper()
	cfg := testConfig(t)
	if mod != nil {
		mod(&cfg)
	}
	m, err := NewMiner(cfg)
	require.NoError(t, err)
	return m
}

// conv builds a conversation from alternating role, content pairs; Index is
// the position unless the role is given as "role@index".
func conv(id string, pairs ...string) *conversation.Conversation {
	c := &conversation.Conversation{ID: id, Source: "test"}
	for i := 0; i+1 < len(pairs); i += 2 {
		role, idx := pairs[i], i/2
		for j := range role {
			if role[j] == '@' {
				idx, _ = strconv.Atoi(role[j+1:])
				role = role[:j]
				break
			}
		}
		c.Messages = append(c.Messages, conversation.Message{Role: conversation.Role(role), Content: pairs[i+1], Index: idx})
	}
	return c
}
