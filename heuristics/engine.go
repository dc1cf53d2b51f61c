package heuristics

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Input caps. The engine examines at most MaxFollowUpBytes of a follow-up
// (a longer follow-up is cut at a rune boundary; cues past the cap are not
// seen) and, of the judged reply, the first MaxReplyHeadBytes and the last
// MaxReplyTailBytes for refusal and question cues and at most
// MaxReplyCopyBytes when looking for text the user copied from it.
const (
	MaxFollowUpBytes  = 16 << 10
	MaxReplyHeadBytes = 4 << 10
	MaxReplyTailBytes = 2 << 10
	MaxReplyCopyBytes = 64 << 10
)

// Detector names used in Signal.Detector.
const (
	DetectorLexicon   = "lexicon"
	DetectorRephrase  = "rephrase"
	DetectorStructure = "structure"
	// DetectorConcession marks the signal of a next assistant reply that
	// opens by conceding ("You're right", "I apologize for the confusion").
	DetectorConcession = "concession"
)

// Scoring constants.
const (
	// strongScore is the score a DSAT signal needs to survive the answer
	// guard (a short reply to a question the assistant asked).
	strongScore = 0.8
	// pushbackNoRefusal scales pushback cues when the reply did not refuse.
	pushbackNoRefusal = 0.4
	// maxPerRule and maxCands bound the matches examined per follow-up, so
	// text that repeats cues thousands of times stays cheap.
	maxPerRule = 2
	maxCands   = 512
	// maxAnswerBytes is the longest follow-up treated as a short answer.
	maxAnswerBytes = 300
	// In a follow-up longer than longFollowUp normalised bytes (typically
	// an instruction framing pasted material), only cues within frameBytes
	// of its start or end count.
	longFollowUp = 600
	frameBytes   = 250
)

// Options configures an Engine.
type Options struct {
	// Languages lists the lexicon languages to load (ISO 639-1: "en", "zh",
	// ...). Nil loads every embedded lexicon.
	Languages []string
}

// Engine is the heuristic detector: lexicon cues compiled into one
// Aho-Corasick matcher, rephrase similarity, structural signals and guards.
// An Engine is immutable and safe for concurrent use.
type Engine struct {
	langs    []string
	langIdx  map[string]int
	en       int // index of "en" in langs, or -1
	rules    []rule
	fu       *acMatcher // follow-up rules
	fuRule   []int32    // pattern id -> rule index
	rp       *acMatcher // reply rules
	rpRule   []int32
	rpMaxLen int // longest reply pattern, in bytes
	scratch  sync.Pool
}

// Suppressed is a signal that a guard removed, kept for explainability.
type Suppressed struct {
	Signal Signal
	Guard  string
}

// Analysis is the engine's full judgement of one follow-up.
type Analysis struct {
	// Signals are the signals kept after guards.
	Signals []Signal
	// Suppressed lists the signals a guard removed, with the guard name.
	Suppressed []Suppressed
	// Scores is the combined DSAT score per category (only categories that
	// fired). Extension signals (see ExtensionCue) are not counted.
	Scores map[Category]float64
	// DSAT is the maximum of Scores, 0 if none.
	DSAT float64
	// SAT is the combined satisfaction score.
	SAT float64
	// Refusal reports that the judged reply refused or stated a limitation.
	Refusal bool
	// Question reports that the judged reply asked the user a question.
	Question bool
	// Holding reports that the judged reply was only a short holding
	// message ("one moment, let me look into it"): there was no answer yet
	// to be dissatisfied with.
	Holding bool
	// ReplyChecked reports that Refusal, Question and Holding were
	// determined: always by Analyze, never by Verdict.
	ReplyChecked bool
}

// Categories returns the categories whose score reaches threshold, in
// canonical order.
func (a Analysis) Categories(threshold float64) []Category {
	var out []Category
	for _, c := range Categories {
		if s, ok := a.Scores[c]; ok && s >= threshold {
			out = append(out, c)
		}
	}
	return out
}

// NewEngine compiles the lexicons named in opts.
func NewEngine(opts Options) (*Engine, error) {
	langs := opts.Languages
	if langs == nil {
		langs = Languages()
	}
	e := &Engine{langIdx: map[string]int{}, en: -1}
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if _, dup := e.langIdx[l]; dup {
			continue
		}
		idx := len(e.langs)
		rules, err := loadLexicon(l, idx)
		if err != nil {
			return nil, err
		}
		e.langIdx[l] = idx
		e.langs = append(e.langs, l)
		e.rules = append(e.rules, rules...)
	}
	if i, ok := e.langIdx["en"]; ok {
		e.en = i
		enPats := map[string]bool{}
		langsOf := map[string]uint64{}
		for i := range e.rules {
			if r := &e.rules[i]; r.lang == e.en {
				enPats[r.pattern] = true
			} else {
				langsOf[r.pattern] |= 1 << uint(r.lang)
			}
		}
		for i := range e.rules {
			r := &e.rules[i]
			if r.lang != e.en && enPats[r.pattern] {
				r.shadowed = true
			}
			if r.lang == e.en {
				r.sharedWith = langsOf[r.pattern]
			}
		}
	}
	// Built-in, language-neutral markers of pasted error output.
	for _, m := range errorMarkers {
		e.rules = append(e.rules, rule{id: "error", lang: -1, label: labelError, weight: 1, pattern: m, cueText: "error"})
	}
	var fuPats, rpPats []string
	for i := range e.rules {
		r := &e.rules[i]
		for _, v := range patternVariants(r.pattern) {
			if r.flags&flagReply != 0 {
				rpPats = append(rpPats, v)
				e.rpRule = append(e.rpRule, int32(i))
			} else {
				fuPats = append(fuPats, v)
				e.fuRule = append(e.fuRule, int32(i))
			}
		}
	}
	e.fu = buildAC(fuPats)
	e.rp = buildAC(rpPats)
	for _, p := range rpPats {
		e.rpMaxLen = max(e.rpMaxLen, len(p))
	}
	e.scratch.New = func() any { return new(scratch) }
	return e, nil
}

var (
	defaultOnce   sync.Once
	defaultEngine *Engine
)

// Default returns the engine with every embedded lexicon, built once and
// shared. It panics if an embedded lexicon is malformed (a build defect).
func Default() *Engine {
	defaultOnce.Do(func() {
		e, err := NewEngine(Options{})
		if err != nil {
			panic(err)
		}
		defaultEngine = e
	})
	return defaultEngine
}

// Name returns "heuristics".
func (e *Engine) Name() string { return "heuristics" }

// Version identifies the rule set; it changes whenever rules or scoring change.
func (e *Engine) Version() string { return "1.5.0" }

// Languages returns the lexicon languages the engine loaded.
func (e *Engine) Languages() []string { return slices.Clone(e.langs) }

// Detect appends the signals kept after guards to dst. It implements Detector.
func (e *Engine) Detect(t *Turn, dst []Signal) []Signal {
	a := e.Verdict(t)
	return append(dst, a.Signals...)
}

// scratch holds per-call buffers, pooled.
type scratch struct {
	fu, rp  normText
	matches []acMatch
	cands   []cand
	regions []region
	negEnds []int
	neutral [][2]int
	toksF   []uint64
	reqs    [2 * maxEarlier]reqEntry // recent request token sets
	reqNext int
	stems   map[uint64]uint64 // word hash -> stem hash (0 for stop words), bounded
	errAt   int               // first error marker in the normalised follow-up, or -1
	seen    []uint8           // matches kept per rule
}

// cand is a lexicon match that passed the rule's own conditions.
type cand struct {
	r    *rule
	s, e int // normalised offsets
}

// langMask returns which loaded lexicons apply to the turn.
func (e *Engine) langMask(t *Turn) (mask uint64, code string) {
	code = LanguageCode(t.Language())
	if i, ok := e.langIdx[code]; ok {
		mask = 1 << uint(i)
		if e.en >= 0 {
			mask |= 1 << uint(e.en)
		}
		return mask, code
	}
	return ^uint64(0), code
}

// capText cuts s to at most n bytes at a rune boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// tailText returns at most the last n bytes of s, starting at a rune boundary.
func tailText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// Analyze judges one follow-up, and always reports what the judged reply
// did (Refusal, Question, Holding).
func (e *Engine) Analyze(t *Turn) Analysis { return e.analyze(t, false) }

// Verdict judges one follow-up as Analyze does, with the same Signals,
// Suppressed, Scores, DSAT and SAT, but scans the judged reply for refusal,
// question, holding and cut-off cues only when a signal needs them (a
// pushback cue, or a DSAT signal that a reply guard could remove). Most
// follow-ups carry no DSAT cue, so most replies are never scanned. Verdict
// leaves Refusal, Question and Holding unset (ReplyChecked false).
func (e *Engine) Verdict(t *Turn) Analysis { return e.analyze(t, true) }

// replyFlags computes the judged reply's flags on first use: its shape
// (cut off, final question mark) without the automaton, and the cues that
// need the automaton only when a flag cannot be decided without them.
type replyFlags struct {
	e       *Engine
	sc      *scratch
	reply   string
	mask    uint64
	shaped  bool
	scanned bool
	shape   replyInfo
	cues    replyInfo
	blank   bool
	// q is the question cue alone (replyQuestionCue): 0 unknown, 1 no, 2 yes.
	q uint8
}

func (r *replyFlags) getShape() *replyInfo {
	if !r.shaped {
		r.shape = replyShape(r.reply)
		r.blank = strings.TrimSpace(r.reply) == ""
		r.shaped = true
	}
	return &r.shape
}

func (r *replyFlags) getCues() *replyInfo {
	if !r.scanned {
		if r.getShape(); !r.blank {
			r.cues = r.e.replyCues(r.sc, r.reply, r.mask)
		}
		r.scanned = true
	}
	return &r.cues
}

func (r *replyFlags) refusal() bool { return r.getCues().refusal }
func (r *replyFlags) cutoff() bool  { return r.getShape().cutoff }
func (r *replyFlags) question() bool {
	if r.getShape().question {
		return true
	}
	if r.scanned || r.blank {
		return r.getCues().question
	}
	if r.q == 0 {
		r.q = 1
		if r.e.replyQuestionCue(r.sc, r.reply, r.mask) {
			r.q = 2
		}
	}
	return r.q == 2
}
func (r *replyFlags) holding() bool {
	return len(r.reply) <= maxHoldingBytes && r.getCues().holding
}

// all computes every flag.
func (r *replyFlags) all() replyInfo {
	return replyInfo{refusal: r.refusal(), question: r.question(), cutoff: r.cutoff(), holding: r.holding()}
}

func (e *Engine) analyze(t *Turn, lazy bool) Analysis {
	var a Analysis
	if t == nil || t.Conv == nil || t.FollowUp < 0 || t.FollowUp >= len(t.Conv.Messages) {
		return a
	}
	sc := e.scratch.Get().(*scratch)
	defer e.scratch.Put(sc)

	text := capText(t.Text(), MaxFollowUpBytes)
	reply := ""
	if t.Reply >= 0 && t.Reply < len(t.Conv.Messages) {
		reply = t.ReplyText()
	}
	mask, code := e.langMask(t)

	// Follow-up lexicon matches.
	sc.fu.normalize(text)
	nb := sc.fu.b
	if code == "" && e.en >= 0 && looksEnglish(nb) {
		mask, code = 1<<uint(e.en), "en"
	}
	enOn := e.en >= 0 && mask&(1<<uint(e.en)) != 0
	// known: the conversation's language is a non-English lexicon language,
	// whose rules win over English rules of the same pattern.
	known := mask != ^uint64(0) && code != "en"

	// Reply side: refusal, question, cut-off; now, or when first needed.
	// The reply scan reuses sc.matches, so it runs before the follow-up
	// scan fills it or after its matches are consumed.
	rinfo := replyFlags{e: e, sc: sc, reply: reply, mask: mask}
	if !lazy {
		rinfo.all()
	}
	sc.matches = e.fu.scan(nb, sc.matches[:0])
	sc.errAt = -1
	sc.cands = sc.cands[:0]
	sc.negEnds = sc.negEnds[:0]
	sc.neutral = sc.neutral[:0]
	if len(sc.seen) != len(e.rules) {
		sc.seen = make([]uint8, len(e.rules))
	}
	clear(sc.seen)
	var hasContinue, hasNewTask, hasThanks, hasRestate bool
	for _, m := range sc.matches {
		r := &e.rules[e.fuRule[m.id]]
		if r.label == labelError {
			if sc.errAt < 0 || int(m.start) < sc.errAt {
				sc.errAt = int(m.start)
			}
			continue
		}
		if mask&(1<<uint(r.lang)) == 0 || r.shadowed && enOn && !known || known && r.sharedWith&mask != 0 {
			continue
		}
		s, en := int(m.start), int(m.end)
		if r.checkLeft && wordBefore(nb, s) || r.checkRight && wordAfter(nb, en) {
			continue
		}
		if r.flags&flagStart != 0 && !atSentenceStart(nb, s) {
			continue
		}
		if r.flags&flagAlone != 0 && hasWordOutside(nb, s, en) {
			continue
		}
		switch r.label {
		case labelNegation:
			sc.negEnds = append(sc.negEnds, en)
			continue
		case labelNeutral:
			sc.neutral = append(sc.neutral, [2]int{s, en})
			continue
		case labelContinue:
			hasContinue = true
			continue
		case labelNewTask:
			hasNewTask = true
			continue
		case labelRestate:
			hasRestate = true
			continue
		case labelThanks:
			hasThanks = true
		}
		if ri := e.fuRule[m.id]; sc.seen[ri] < maxPerRule && len(sc.cands) < maxCands {
			sc.seen[ri]++
			sc.cands = append(sc.cands, cand{r: r, s: s, e: en})
		}
	}

	copyReply := capText(reply, MaxReplyCopyBytes)
	sc.regions = materialRegions(text, findRegions(text, sc.regions[:0]))

	// Longest match wins: drop candidates strictly inside a longer one.
	cands := sc.cands
	keep := cands[:0]
	for i, c := range cands {
		inside := false
		for j, d := range cands {
			if i != j && d.s <= c.s && c.e <= d.e && (d.e-d.s) > (c.e-c.s) {
				inside = true
				break
			}
		}
		if !inside {
			keep = append(keep, c)
		}
	}
	cands = keep

	// Overlapping matches of the same label and category: keep the one
	// with the highest weight (the earliest on ties).
	for i, c := range cands {
		dup := false
		for j, d := range cands {
			if i != j && d.r.label == c.r.label && d.r.cat == c.r.cat && c.s < d.e && d.s < c.e &&
				(d.r.weight > c.r.weight || d.r.weight == c.r.weight && j < i) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		os, oe := sc.fu.span(c.s, c.e)
		sig := Signal{
			Score:    c.r.weight,
			Evidence: []Span{{Start: os, End: oe, Text: text[os:oe]}},
			Detector: DetectorLexicon,
			Cue:      c.r.cue(),
		}
		switch c.r.label {
		case labelExtension:
			sig.Polarity, sig.Category = DSAT, Refinement
			sig.Cue = ExtensionCue + " " + sig.Cue
		case labelCategory:
			sig.Polarity, sig.Category = DSAT, c.r.cat
			if c.r.cat == Pushback && !rinfo.refusal() {
				sig.Score *= pushbackNoRefusal
				sig.Cue += " (no refusal in reply)"
			}
		default:
			sig.Polarity = SAT
		}
		if dupRule(a.Signals, c.r.cue()) {
			continue
		}
		if g := regionAt(sc.regions, os, oe); g != "" {
			a.Suppressed = append(a.Suppressed, Suppressed{sig, g})
			continue
		}
		if copiedAt(text, os, oe, copyReply) {
			a.Suppressed = append(a.Suppressed, Suppressed{sig, GuardCopied})
			continue
		}
		if len(nb) > longFollowUp && c.s >= frameBytes && c.e <= len(nb)-frameBytes {
			a.Suppressed = append(a.Suppressed, Suppressed{sig, GuardBody})
			continue
		}
		if sig.Polarity == DSAT && e.overlapsNeutral(sc, c) {
			a.Suppressed = append(a.Suppressed, Suppressed{sig, GuardNeutral})
			continue
		}
		if negated(nb, sc.negEnds, c.s) {
			a.Suppressed = append(a.Suppressed, Suppressed{sig, GuardNegation})
			continue
		}
		a.Signals = append(a.Signals, sig)
	}
	onlyThanks := hasThanks && thanksOnly(nb, cands)
	// A short follow-up that thanks and accepts, asks nothing and carries
	// no strong complaint names no problem: its weak correction, complaint,
	// doubt or pushback cues ("that's actually lovely, thank you") are not
	// a reaction against the reply. Preference and refinement cues still
	// count: "thanks, now shorter" asks for a change.
	accepts := hasThanks && len(text) <= maxAnswerBytes && !strings.Contains(text, "?")
	for _, s := range a.Signals {
		if s.Polarity == DSAT && s.Score >= strongScore {
			accepts = false // "thanks, but that's wrong": a problem is named
		}
	}

	// Structural and rephrase signals.
	a.Signals = e.structure(sc, text, reply, copyReply, a.Signals)
	if !hasContinue {
		a.Signals = e.rephrase(sc, t, code, a.Signals)
		// After a continue request, "apologies, here is the rest" concedes
		// a cut-off, not a miss: the next reply is not read then.
		if r := e.concession(sc, t, mask); r != nil {
			a.Signals = append(a.Signals, concessionSignal(r, text, a.Signals))
		}
	}

	// Context guards.
	kept := a.Signals[:0]
	for _, s := range a.Signals {
		if s.Polarity == DSAT {
			guard := ""
			switch {
			case onlyThanks:
				guard = GuardThanks
			case accepts && s.Score < strongScore && s.Category != Preference && s.Category != Refinement:
				guard = GuardAccept
			case hasContinue && (s.Category == Refinement || s.Category == Complaint) && rinfo.cutoff():
				guard = GuardContinue
			case hasNewTask && (s.Detector == DetectorRephrase || s.Category == Refinement && s.Score < 0.6):
				guard = GuardNewTask
			case hasRestate && s.Category == Doubt && s.Score < strongScore:
				// "So if I understand correctly, X. Is that right?" checks
				// the user's own understanding, not the reply.
				guard = GuardRestate
			case len(text) <= maxAnswerBytes && s.Score < strongScore && rinfo.question():
				guard = GuardAnswer
			case s.Score < strongScore && (s.Category == Preference || s.Category == Correction || s.Category == Refinement) && rinfo.holding():
				// The user changed or refined the request before any
				// answer came back: nothing to be dissatisfied with yet.
				guard = GuardHolding
			}
			if guard != "" {
				a.Suppressed = append(a.Suppressed, Suppressed{s, guard})
				continue
			}
		}
		kept = append(kept, s)
	}
	a.Signals = kept
	if !lazy {
		ri := rinfo.all()
		a.Refusal, a.Question, a.Holding, a.ReplyChecked = ri.refusal, ri.question, ri.holding, true
	}
	a.Scores, a.SAT = combineCounted(a.Signals)
	for _, v := range a.Scores {
		a.DSAT = max(a.DSAT, v)
	}
	return a
}

// dupRule reports whether a signal from the same rule is already in sigs:
// a rule counts once however often it matches.
func dupRule(sigs []Signal, cue string) bool {
	for i := range sigs {
		if strings.HasPrefix(sigs[i].Cue, cue) {
			return true
		}
	}
	return false
}

// overlapsNeutral reports whether c overlaps a neutral phrase.
func (e *Engine) overlapsNeutral(sc *scratch, c cand) bool {
	for _, n := range sc.neutral {
		if c.s < n[1] && n[0] < c.e {
			return true
		}
	}
	return false
}

// negated reports whether a negator ends shortly before s: at most two
// words in between and no clause punctuation.
func negated(b []byte, negEnds []int, s int) bool {
	// negEnds is sorted (matches are reported in order of their end).
	for i := sort.SearchInts(negEnds, s+1) - 1; i >= 0 && s-negEnds[i] <= 24; i-- {
		gap := b[negEnds[i]:s]
		words, inWord, ok := 0, false, true
		for _, r := range string(gap) {
			switch {
			case r == ' ':
				inWord = false
			case r == '\n' || r != '\'' && r != '-' && (unicode.IsPunct(r) || unicode.IsSymbol(r)):
				ok = false // clause break
			default:
				if !inWord {
					words++
					inWord = true
				}
			}
		}
		if ok && words <= 2 {
			return true
		}
	}
	return false
}

// atSentenceStart reports whether position s of b begins the text or a
// sentence, skipping opening quotes, brackets, list markers and emoji.
func atSentenceStart(b []byte, s int) bool {
	for i := s; i > 0; {
		c := b[i-1]
		if c < utf8.RuneSelf {
			switch c {
			case ' ', '"', '\'', '(', '[', '*', '-', '_', '#', '>', '~':
				i--
				continue
			case '.', '!', '?', ';', ':', '\n':
				return true
			}
			return false
		}
		r, size := utf8.DecodeLastRune(b[:i])
		if r == '…' || r == '。' || r == '¡' || r == '¿' {
			return true
		}
		if isWordRune(r) {
			return false
		}
		i -= size
	}
	return true
}

// hasWordOutside reports whether b has a word character outside [s,e).
func hasWordOutside(b []byte, s, e int) bool {
	return hasWord(b[:s]) || hasWord(b[e:])
}

func hasWord(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == '_' || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if isWordRune(r) {
			return true
		}
		i += size
	}
	return false
}

// thanksOnly reports whether the follow-up is only thanks and praise: at
// most three word characters remain outside SAT matches.
func thanksOnly(b []byte, cands []cand) bool {
	n := 0
	for i := 0; i < len(b); {
		covered := false
		for _, c := range cands {
			if (c.r.label == labelSAT || c.r.label == labelThanks) && c.s <= i && i < c.e {
				i = c.e
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if isWordRune(r) {
			n++
			if n > 3 {
				return false
			}
		}
		i += size
	}
	return true
}

// ExtensionCue prefixes the Cue of refinement signals that only ask to
// extend an acceptable answer ("tell me more", "a few more"). docs/taxonomy.md does
// not count such follow-ups as DSAT by default, so Analyze reports these
// signals but leaves them out of Scores and DSAT; a caller that counts
// extensions merges them with Combine.
const ExtensionCue = "extension"

// IsExtension reports whether s is an extension signal (see ExtensionCue).
func IsExtension(s Signal) bool {
	return s.Polarity == DSAT && s.Category == Refinement && strings.HasPrefix(s.Cue, ExtensionCue)
}

// combineCounted is Combine without extension signals.
func combineCounted(signals []Signal) (map[Category]float64, float64) {
	if !slices.ContainsFunc(signals, IsExtension) {
		return Combine(signals)
	}
	return Combine(slices.DeleteFunc(slices.Clone(signals), IsExtension))
}

// Combine merges signals by noisy-OR: per DSAT category
// 1-Π(1-score), and the same over all SAT signals. Scores are clamped to
// [0,1]. The miner uses it to merge the signals of custom detectors too.
func Combine(signals []Signal) (scores map[Category]float64, sat float64) {
	notSAT := 1.0
	for _, s := range signals {
		p := min(max(s.Score, 0), 1)
		if s.Polarity == SAT {
			notSAT *= 1 - p
			continue
		}
		if s.Category == "" {
			continue
		}
		if scores == nil {
			scores = make(map[Category]float64, 2)
		}
		scores[s.Category] = 1 - (1-scores[s.Category])*(1-p)
	}
	return scores, 1 - notSAT
}

// String summarises the analysis for debugging.
func (a Analysis) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "dsat=%.2f sat=%.2f", a.DSAT, a.SAT)
	for _, c := range Categories {
		if s, ok := a.Scores[c]; ok {
			fmt.Fprintf(&sb, " %s=%.2f", c, s)
		}
	}
	if a.Refusal {
		sb.WriteString(" refusal")
	}
	if a.Question {
		sb.WriteString(" question")
	}
	return sb.String()
}

// englishMarkers are frequent English function words; two of them among the
// first words of an unlabelled follow-up make the engine treat it as English
// (the English lexicon only), so that cues of other lexicons that happen to
// be English words do not fire.
var englishMarkers = map[string]bool{
	"the": true, "is": true, "are": true, "you": true, "your": true, "it": true, "this": true,
	"that": true, "and": true, "to": true, "of": true, "i": true, "me": true, "my": true,
	"what": true, "how": true, "can": true, "please": true, "with": true, "for": true,
	"was": true, "be": true, "do": true, "does": true, "not": true, "it's": true, "i'm": true,
	"don't": true, "we": true, "an": true, "in": true, "on": true, "write": true, "make": true,
}

// looksEnglish reports whether the normalised text reads as English.
func looksEnglish(b []byte) bool {
	if len(b) > 200 {
		b = b[:200]
	}
	hits, words := 0, 0
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && (b[i] >= 'a' && b[i] <= 'z' || b[i] == '\'') {
			if start < 0 {
				start = i
			}
			continue
		}
		if i < len(b) && b[i] >= utf8.RuneSelf {
			return false // non-ASCII letters: leave it to the language-agnostic path
		}
		if start >= 0 {
			words++
			if englishMarkers[string(b[start:i])] {
				hits++
			}
			start = -1
		}
	}
	return hits >= 2 && hits*5 >= words
}
