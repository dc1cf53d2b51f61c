package dsat

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// Why a chosen reply was attached to an anchor (Anchor.Pairing), or why it
// was not; both are counted in Stats.Pairing.
//
// By default a later reply the user was satisfied with becomes the chosen
// reply only when it answers the anchor's prompt as given: every DSAT
// follow-up between the rejected and the chosen reply restated, re-asked or
// refined the same request and added no fact the prompt (or the rejected
// reply it reacts to) lacks. A reply that answers a new fact ("I'm on
// Windows, not a Mac") or a challenge ("are you sure?") answers a different
// prompt, and pairing it with the rejected reply would teach a trainer the
// wrong preference. Config.DRIFTPairing restores the pairing of DRIFT's
// seed pairs: the first satisfied reply after any chain of DSAT follow-ups.
const (
	// PairRestated: the follow-up repeats the request in other words.
	PairRestated = "restated"
	// PairReasked: the follow-up adds no content at all ("try again",
	// "that's not what I asked").
	PairReasked = "re-asked"
	// PairRefined: the follow-up asks for another form of the same answer
	// (shorter, simpler, more formal, as a list, in N words).
	PairRefined = "refined"
	// PairDRIFT: paired by Config.DRIFTPairing, without the rule.
	PairDRIFT = "drift"

	// PairDroppedNewFact: a follow-up added content the prompt lacks.
	PairDroppedNewFact = "dropped_new_fact"
	// PairDroppedChallenge: a follow-up challenged the reply (doubt or
	// pushback); the satisfied reply answers the challenge.
	PairDroppedChallenge = "dropped_challenge"
)

// pairReason judges the chain of DSAT follow-ups (indices into c.Messages)
// that led from the rejected reply to the chosen one. It returns one of the
// Pair* reasons.
func pairReason(c *conversation.Conversation, prompt []ChatMessage, chain []int, cats map[int][]heuristics.Category) string {
	known := map[string]bool{}
	for _, m := range prompt {
		addWords(known, m.Content)
	}
	reason := ""
	for _, f := range chain {
		// The reply the follow-up reacts to may be quoted ("what's an
		// excess?"): its words are not new facts.
		addWords(known, c.Messages[f-1].Content)
		r := judgeFollowUp(c.Messages[f].Content, prompt, known, cats[f])
		if strings.HasPrefix(r, "dropped_") {
			return r
		}
		if reason == "" {
			reason = r
		}
	}
	return reason
}

// judgeFollowUp classifies one DSAT follow-up. Words it has that neither
// the prompt nor the replies before it have are fresh; a sentence with fresh
// words adds a fact when it speaks of the user ("I'm on Windows", "my
// toddler"), asks a new question when it ends with a question mark, and is
// otherwise a refinement (only words about the answer's form, or numbers)
// or, in a correction, a remark on the reply ("that's Spanish, not
// French"). A challenge (doubt or pushback alone) is answered by the next
// reply, not the prompt.
func judgeFollowUp(text string, prompt []ChatMessage, known map[string]bool, cats []heuristics.Category) string {
	challenge, refine, correct := false, false, false
	for _, c := range cats {
		switch c {
		case heuristics.Doubt, heuristics.Pushback:
			challenge = true
		case heuristics.Refinement, heuristics.Preference, heuristics.Complaint:
			refine = true
		case heuristics.Correction:
			correct = true
		}
	}
	if challenge && !refine && !correct {
		return PairDroppedChallenge
	}
	sents := sentences(text)
	if challenge && slices.ContainsFunc(sents, func(s sentence) bool { return s.question }) {
		return PairDroppedChallenge // "are you sure …?"
	}
	var words []string
	refined, remarked := false, false
	for _, sent := range sents {
		ws := contentWords(sent.text)
		words = append(words, ws...)
		var fresh []string
		for _, w := range ws {
			if !known[w] {
				fresh = append(fresh, w)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		form := true
		for _, w := range fresh {
			if !formWords[w] && !isNumber(w) {
				form = false
				break
			}
		}
		switch {
		case form:
			refined = true // "can you explain it more simply?", "I want it shorter"
		case firstPerson(sent.text):
			return PairDroppedNewFact
		case sent.question:
			return PairDroppedChallenge
		case correct:
			remarked = true
		default:
			return PairDroppedNewFact
		}
	}
	switch {
	case refined:
		return PairRefined
	case remarked:
		return PairReasked
	}
	// No fresh word: restated when it shares most of the request's words.
	req := map[string]bool{}
	for i := len(prompt) - 1; i >= 0; i-- {
		if prompt[i].Role == string(conversation.User) {
			for _, w := range contentWords(prompt[i].Content) {
				req[w] = true
			}
			break
		}
	}
	shared := 0
	for w := range req {
		if slices.Contains(words, w) {
			shared++
		}
	}
	if len(req) > 0 && 2*shared >= len(req) {
		return PairRestated
	}
	return PairReasked
}

type sentence struct {
	text     string
	question bool
}

// sentences splits s at sentence ends (. ! ? and their full-width forms,
// and line breaks).
func sentences(s string) []sentence {
	var out []sentence
	start := 0
	for i, r := range s {
		switch r {
		case '.', '!', '?', '\n', '。', '！', '？':
			if t := strings.TrimSpace(s[start:i]); t != "" {
				out = append(out, sentence{text: t, question: r == '?' || r == '？'})
			}
			start = i + utf8.RuneLen(r)
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, sentence{text: t})
	}
	return out
}

// firstPerson reports whether a sentence speaks of the user.
func firstPerson(s string) bool {
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		switch f {
		case "i", "i'm", "i've", "i'll", "i'd", "me", "my", "mine", "we", "we're", "our", "us", "myself":
			return true
		}
	}
	return false
}

// addWords adds the content words of s to set.
func addWords(set map[string]bool, s string) {
	for _, w := range contentWords(s) {
		set[w] = true
	}
}

// contentWords returns the stemmed words of s that carry content: lower
// case, function words and dissatisfaction cues left out.
func contentWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}) {
		f = strings.Trim(f, "'")
		if i := strings.IndexByte(f, '\''); i > 0 {
			f = f[:i] // don't → don, i'm → i, it's → it
		}
		if f == "" || functionWords[f] {
			continue
		}
		w := stem(f)
		if functionWords[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// stem strips a few English inflections so that "programmed" meets
// "programming" and "shorter" meets "short".
func stem(w string) string {
	if isNumber(w) {
		return w
	}
	for _, suf := range []string{"ing", "ed", "er", "est", "ly", "es", "s"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
		m[stem(w)] = true
	}
	return m
}

// functionWords are English words that carry no fact: function words and
// the words people use to say that a reply missed ("wrong", "again").
var functionWords = wordSet(`a about above actually after again all also am an and any anything are aren as ask asked
at be because been before being below between both but by can can't cannot could couldn did didn do does doesn
doing don done down during each either else even ever every few for from further get got had hasn has have haven
having he her here hers him his how i if in into is isn it its itself just let like ll me mean meant mine more
most much must my myself need no nor not now of off oh ok okay on once one only or other our ours out over own
please pls really re right said same say says see she should so some something still such sure than thank thanks
that the their theirs them then there these they thing things this those though through to too try trying
again under until up us ve very want wanted was wasn way we well were weren what when where which while who whom
why will with won work make do go care never always works worked working would wouldn yes yet you your yours yourself hm hmm nope nah yeah wrong
incorrect answer answers question reply response told tell gave give given asking isn't doesn't that's it's
i'm what's don't won't can't instead again already really seem seems thought think know sorry`)

// formWords name the form of an answer rather than facts: a follow-up that
// asks only for another form refines the same request.
var formWords = wordSet(`short shorter shorten brief briefer concise long longer length detail detailed details
simple simpler simply plain easy easier clear clearer explain explanation elaborate expand summary summarise
summarize sum up bullet bullets point points list numbered table step steps sentence sentences paragraph
paragraphs word words line lines page character characters formal informal casual friendly polite firm firmer
strong stronger professional tone toned tone down less more fewer style rewrite rephrase redo version format
example examples code snippet comment comments english language translate technical jargon beginner kid child
understand understandable year old readable again lot bit little fun funny serious understated emoji emojis
hashtag hashtags title heading headings markdown sound fairly natural human syllable syllables rhyme rhymes verse stanza meter
one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty fifty hundred`)
