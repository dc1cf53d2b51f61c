package llmjudge

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// verdict is the judge's answer, as the rubric asks for it.
type verdict struct {
	DSAT       bool     `json:"dsat"`
	SAT        bool     `json:"sat"`
	Categories []string `json:"categories"`
	Confidence float64  `json:"confidence"`
	Evidence   []string `json:"evidence"`
}

// wireVerdict distinguishes missing fields from zero values.
type wireVerdict struct {
	DSAT       *bool    `json:"dsat"`
	SAT        *bool    `json:"sat"`
	Categories []string `json:"categories"`
	Confidence *float64 `json:"confidence"`
	Evidence   []string `json:"evidence"`
}

// extractJSON finds the JSON object in a model's reply, tolerating servers
// that ignore response_format: a leading <think> block, Markdown code fences
// and prose around the object are removed.
func extractJSON(content string) []byte {
	s := strings.TrimSpace(content)
	if i := strings.Index(s, "</think>"); i >= 0 && strings.HasPrefix(s, "<think>") {
		s = strings.TrimSpace(s[i+len("</think>"):])
	}
	if !strings.HasPrefix(s, "{") {
		if i, j := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}'); i >= 0 && j > i {
			s = s[i : j+1]
		}
	} else if j := strings.LastIndexByte(s, '}'); j >= 0 {
		s = s[:j+1]
	}
	return []byte(s)
}

// parseVerdict decodes and checks a verdict. It returns the verdict's JSON
// object as the model wrote it (the value stored in the cache) and the verdict.
func parseVerdict(content string) ([]byte, verdict, error) {
	raw := extractJSON(content)
	var w wireVerdict
	if err := jsonx.Unmarshal(raw, &w); err != nil {
		return nil, verdict{}, fmt.Errorf("not a JSON object of the required shape: %v", err)
	}
	switch {
	case w.DSAT == nil:
		return nil, verdict{}, errors.New(`missing boolean field "dsat"`)
	case w.SAT == nil:
		return nil, verdict{}, errors.New(`missing boolean field "sat"`)
	case w.Confidence == nil:
		return nil, verdict{}, errors.New(`missing number field "confidence"`)
	}
	v := verdict{DSAT: *w.DSAT, SAT: *w.SAT, Confidence: *w.Confidence, Evidence: w.Evidence}
	for _, c := range w.Categories {
		v.Categories = append(v.Categories, strings.ToLower(strings.TrimSpace(c)))
	}
	return raw, v, nil
}

// normalized is a text with every run of white space collapsed to one space
// and the ends trimmed; pos maps each byte back to the source text.
type normalized struct {
	text string
	pos  []int
}

func normalize(s string) normalized {
	var b strings.Builder
	pos := make([]int, 0, len(s))
	space := false
	for i, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			pos = append(pos, i)
			space = false
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+n])
		for k := range n {
			pos = append(pos, i+k)
		}
	}
	return normalized{text: b.String(), pos: pos}
}

func collapse(s string) string { return normalize(s).text }

// quoteTrim holds the characters a model may wrap around a verbatim quote.
const quoteTrim = "\"'`“”‘’«»"

// locate finds quote in the follow-up (whitespace-insensitively) and returns
// its byte range in the follow-up. Quotation marks and a trailing ellipsis
// that the model put around the quote are tolerated.
func (n normalized) locate(quote string) (int, int, bool) {
	q := collapse(quote)
	for _, cand := range []string{
		q,
		strings.TrimSpace(strings.Trim(q, quoteTrim)),
		strings.Trim(strings.TrimRight(strings.Trim(q, quoteTrim), ".…"), quoteTrim+" "),
	} {
		if cand == "" {
			continue
		}
		if i := strings.Index(n.text, cand); i >= 0 {
			return n.pos[i], n.pos[i+len(cand)-1] + 1, true
		}
	}
	return 0, 0, false
}

// judgement is the outcome of checking a verdict against the follow-up.
type judgement struct {
	pred classifier.Prediction
	err  error // ErrUnverifiable or nil
}

// check verifies the verdict's evidence against the follow-up that was sent
// (sent is a prefix of red.text) and maps it to a Prediction whose spans point
// into the original follow-up.
func check(v verdict, sent string, red redacted, original string) judgement {
	if v.DSAT && len(v.Evidence) == 0 {
		return judgement{err: fmt.Errorf("%w: dsat verdict without evidence", ErrUnverifiable)}
	}
	norm := normalize(sent)
	var spans []heuristics.Span
	for _, q := range v.Evidence {
		s, e, ok := norm.locate(q)
		if !ok {
			return judgement{err: fmt.Errorf("%w: evidence %q is not in the follow-up", ErrUnverifiable, q)}
		}
		os, oe, ok := red.original(s, e)
		if !ok {
			continue // quotes a placeholder: verified, but has no span in the original
		}
		sp := heuristics.Span{Start: os, End: oe, Text: original[os:oe]}
		if !slices.Contains(spans, sp) {
			spans = append(spans, sp)
		}
	}
	slices.SortFunc(spans, func(a, b heuristics.Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	return judgement{pred: predict(v, spans)}
}

// predict maps a verified verdict to probabilities.
func predict(v verdict, spans []heuristics.Span) classifier.Prediction {
	c := min(max(v.Confidence, 0), 1)
	p := classifier.Prediction{DSAT: 1 - c, SAT: 1 - c, Evidence: spans}
	if v.DSAT {
		p.DSAT = c
	}
	if v.SAT {
		p.SAT = c
	}
	for _, name := range v.Categories {
		cat := heuristics.Category(name)
		if !slices.Contains(heuristics.Categories, cat) {
			continue
		}
		if p.Categories == nil {
			p.Categories = make(map[heuristics.Category]float64)
		}
		p.Categories[cat] = p.DSAT
	}
	return p
}
