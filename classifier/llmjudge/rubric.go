package llmjudge

import (
	_ "embed"
	"strings"
)

//go:embed rubric.txt
var rubricFile string

// rubricVersion and rubricText are parsed from rubric.txt, whose first line
// is "rubric-version: V". The version is part of every cache key, so editing
// the rubric must come with a new version.
var rubricVersion, rubricText = parseRubric(rubricFile)

func parseRubric(s string) (version, text string) {
	first, rest, _ := strings.Cut(s, "\n")
	v, ok := strings.CutPrefix(first, "rubric-version:")
	if !ok {
		panic("llmjudge: rubric.txt must start with a rubric-version line")
	}
	return strings.TrimSpace(v), strings.TrimSpace(rest)
}

// Rubric returns the version and the text of the rubric the judge sends as
// its system prompt.
func Rubric() (version, text string) { return rubricVersion, rubricText }
