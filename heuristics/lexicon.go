package heuristics

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

//go:embed lexicons/*.tsv
var lexiconFS embed.FS

// ErrLexicon is returned (wrapped in a *LexiconError) when a lexicon file is
// malformed, and for unknown languages in Options.
var ErrLexicon = errors.New("heuristics: bad lexicon")

// LexiconError reports a malformed lexicon rule.
type LexiconError struct {
	Lang   string
	Line   int // 1-based, 0 when the error concerns the whole lexicon
	Reason string
}

func (e *LexiconError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("heuristics: lexicon %s: %s", e.Lang, e.Reason)
	}
	return fmt.Sprintf("heuristics: lexicon %s line %d: %s", e.Lang, e.Line, e.Reason)
}

// Unwrap lets errors.Is(err, ErrLexicon) match.
func (e *LexiconError) Unwrap() error { return ErrLexicon }

// Lexicon returns the raw embedded lexicon file for lang (ISO 639-1), for
// tooling that wants to inspect or export the cues.
func Lexicon(lang string) ([]byte, bool) {
	b, err := lexiconFS.ReadFile("lexicons/" + lang + ".tsv")
	if err != nil {
		return nil, false
	}
	return b, true
}

// Languages returns the languages of the embedded lexicons, sorted.
func Languages() []string {
	ents, _ := lexiconFS.ReadDir("lexicons")
	var out []string
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name(), ".tsv"); ok && !e.IsDir() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// label is what a lexicon rule marks.
type label uint8

const (
	labelCategory   label = iota // a DSAT category (rule.cat)
	labelSAT                     // satisfaction
	labelThanks                  // pure thanks (also satisfaction)
	labelNegation                // negator that neutralises a following cue
	labelNeutral                 // phrase that cancels any cue it overlaps ("no problem")
	labelContinue                // continue request after a cut-off reply
	labelNewTask                 // marker of a new or next-step request
	labelRefusal                 // refusal or stated limitation in the reply
	labelQuestion                // the reply asks the user for input
	labelHolding                 // the reply only acknowledges and promises an answer
	labelExtension               // asks to extend an acceptable answer ("tell me more")
	labelConcession              // the next assistant reply opens by conceding ("you're right", "i apologize")
	labelRestate                 // the user restates their understanding to check it ("if i understand correctly")
	labelError                   // built-in: marker of pasted error output (not a lexicon label)
)

var labelNames = map[string]label{
	"sat":        labelSAT,
	"thanks":     labelThanks,
	"negation":   labelNegation,
	"neutral":    labelNeutral,
	"continue":   labelContinue,
	"newtask":    labelNewTask,
	"refusal":    labelRefusal,
	"question":   labelQuestion,
	"holding":    labelHolding,
	"extension":  labelExtension,
	"concession": labelConcession,
	"restate":    labelRestate,
}

type ruleFlags uint8

const (
	flagStart ruleFlags = 1 << iota
	flagAlone
	flagReply
)

// rule is one compiled lexicon line.
type rule struct {
	id      string // "<lang>:<line>"
	lang    int    // index into Engine.langs
	label   label
	cat     Category
	weight  float64
	pattern string // normalised
	flags   ruleFlags
	// Boundary checks: a pattern edge that is a word character of a spaced
	// script must not touch another word character.
	checkLeft, checkRight bool
	// shadowed is set on rules of other languages whose pattern is also an
	// English pattern; when the conversation's language is unknown they are
	// skipped and the English rule decides.
	shadowed bool
	// sharedWith, on English rules, has the bit of every other language with
	// a rule of the same pattern; when the conversation's language is known
	// and among them, that language's rule decides and the English one is
	// skipped (Spanish "no" is a negator there, not a complaint).
	sharedWith uint64
	cueText    string // id plus quoted pattern, built once
}

// cue returns the human-readable cue for evidence: rule id plus pattern.
func (r *rule) cue() string { return r.cueText }

// parseLexicon compiles one lexicon file.
func parseLexicon(lang string, langIdx int, data []byte) ([]rule, error) {
	var rules []rule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := sc.Text()
		if line == 1 {
			raw = strings.TrimPrefix(raw, "\uFEFF")
		}
		text := strings.TrimRight(raw, "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		bad := func(format string, a ...any) error {
			return &LexiconError{Lang: lang, Line: line, Reason: fmt.Sprintf(format, a...)}
		}
		if !utf8.ValidString(text) {
			return nil, bad("invalid UTF-8")
		}
		f := strings.Split(text, "\t")
		if len(f) < 3 || len(f) > 4 {
			return nil, bad("want 3 or 4 tab-separated fields, got %d", len(f))
		}
		r := rule{id: lang + ":" + strconv.Itoa(line), lang: langIdx}
		name := strings.TrimSpace(f[0])
		if l, ok := labelNames[name]; ok {
			r.label = l
		} else if slices.Contains(Categories, Category(name)) {
			r.label, r.cat = labelCategory, Category(name)
		} else {
			return nil, bad("unknown label %q", name)
		}
		w, err := strconv.ParseFloat(strings.TrimSpace(f[1]), 64)
		if err != nil || !(w > 0 && w <= 1) {
			return nil, bad("weight %q not in (0,1]", f[1])
		}
		r.weight = w
		r.pattern = normalizePattern(f[2])
		if r.pattern == "" {
			return nil, bad("empty pattern")
		}
		if len(f) == 4 {
			for fl := range strings.SplitSeq(f[3], ",") {
				switch strings.TrimSpace(fl) {
				case "start":
					r.flags |= flagStart
				case "alone":
					r.flags |= flagAlone
				case "reply":
					r.flags |= flagReply
				case "":
				default:
					return nil, bad("unknown flag %q", fl)
				}
			}
		}
		replyRule := r.label == labelRefusal || r.label == labelQuestion || r.label == labelHolding || r.label == labelConcession
		if replyRule {
			r.flags |= flagReply
		}
		if r.flags&flagReply != 0 && !replyRule {
			return nil, bad("flag reply is only valid for refusal, question, holding and concession rules")
		}
		r.cueText = r.id + " " + strconv.Quote(r.pattern)
		first, _ := utf8.DecodeRuneInString(r.pattern)
		last, _ := utf8.DecodeLastRuneInString(r.pattern)
		r.checkLeft = isWordRune(first) && !isUnspacedRune(first)
		r.checkRight = isWordRune(last) && !isUnspacedRune(last)
		rules = append(rules, r)
	}
	if err := sc.Err(); err != nil {
		return nil, &LexiconError{Lang: lang, Reason: err.Error()}
	}
	return rules, nil
}

// patternVariants returns the spellings a pattern matches: itself and, when
// it holds an ASCII apostrophe, the same words without it ("don't" also
// matches "dont"), because users often skip apostrophes.
func patternVariants(p string) []string {
	if !strings.Contains(p, "'") {
		return []string{p}
	}
	return []string{p, strings.ReplaceAll(p, "'", "")}
}

// loadLexicon reads and compiles the embedded lexicon for lang.
func loadLexicon(lang string, idx int) ([]rule, error) {
	data, ok := Lexicon(lang)
	if !ok {
		return nil, &LexiconError{Lang: lang, Reason: "no embedded lexicon (have " + strings.Join(Languages(), ",") + ")"}
	}
	return parseLexicon(path.Base(lang), idx, data)
}
