package classifier

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/dsatmine/dsatmine/heuristics"
)

// FeatureConfig controls how a follow-up in context is turned into hashed
// features. It is stored in the model file, so a model is always scored with
// the features it was trained on.
type FeatureConfig struct {
	// HashBits is the log2 of the number of hash buckets (default 16: the
	// weights of all heads then fit in 2 MiB, which keeps scoring cache-friendly;
	// 18 measured no better on the development data).
	HashBits int `json:"hash_bits"`
	// CharNGramMin and CharNGramMax bound the character n-gram lengths (default 3
	// and 3: trigrams only; adding 4-grams doubled scoring time and measured no
	// better under cross-validation).
	CharNGramMin int `json:"char_ngram_min"`
	CharNGramMax int `json:"char_ngram_max"`
	// MaxChars is how many bytes of the normalised follow-up feed character n-grams (default 128).
	MaxChars int `json:"max_chars"`
	// MaxWords is how many leading words feed word unigrams and bigrams (default 48).
	MaxWords int `json:"max_words"`
	// EdgeWords is how many first and last words get position features (default 3).
	EdgeWords int `json:"edge_words"`
	// Structure selects the structural feature set (0: none, as in models
	// trained before it existed; 1: cue position, pasted material, deictic
	// openings, and how the next reply relates to the judged one).
	Structure int `json:"structure,omitempty"`
	// NoHeuristic disables the features built from the heuristic signals
	// passed in.
	NoHeuristic bool `json:"no_heuristic"`
}

// DefaultFeatureConfig returns the feature configuration used by Train when
// none is given.
func DefaultFeatureConfig() FeatureConfig {
	return FeatureConfig{HashBits: 16, CharNGramMin: 3, CharNGramMax: 3, MaxChars: 128, MaxWords: 48, EdgeWords: 3, Structure: 1}
}

func (c FeatureConfig) withDefaults() FeatureConfig {
	d := DefaultFeatureConfig()
	if c.HashBits <= 0 {
		c.HashBits = d.HashBits
	}
	if c.CharNGramMin <= 0 {
		c.CharNGramMin = d.CharNGramMin
	}
	if c.CharNGramMax < c.CharNGramMin {
		c.CharNGramMax = max(d.CharNGramMax, c.CharNGramMin)
	}
	if c.MaxChars <= 0 {
		c.MaxChars = d.MaxChars
	}
	if c.MaxWords <= 0 {
		c.MaxWords = d.MaxWords
	}
	if c.EdgeWords < 0 {
		c.EdgeWords = 0
	}
	return c
}

// Byte windows of each message that the features look at. Long pasted code
// or documents do not make scoring slower than this.
const (
	headWindow     = 512 // follow-up bytes tokenised for words
	tailWindow     = 160 // follow-up bytes tokenised for suffix features
	simWindow      = 400 // bytes of each message compared for similarity
	simMaxTokens   = 64  // content tokens per message compared for similarity
	replySimWindow = 200 // bytes of the judged reply compared for similarity
	replyEdge      = 200 // bytes at the end of the reply inspected for a question
	refusalEdge    = 160 // bytes at the start of the reply inspected for a refusal
	earlierTurns   = 2   // earlier user requests compared to the follow-up
	numLenBuckets  = 12
	// heuristicScale scales the heuristic-signal features: they are few and
	// dense, and larger values let them carry weight under the same
	// regularisation that keeps thousands of sparse n-gram weights small.
	heuristicScale = 3
)

// FNV-1a, inlined so hashing never allocates.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hstr(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

func hbytes(h uint32, b []byte) uint32 {
	for _, c := range b {
		h ^= uint32(c)
		h *= fnvPrime
	}
	return h
}

func hrune(h uint32, r rune) uint32 {
	for ; r > 0; r >>= 8 {
		h ^= uint32(r & 0xff)
		h *= fnvPrime
	}
	return h
}

func hbyte(h uint32, c byte) uint32 {
	h ^= uint32(c)
	return h * fnvPrime
}

// scratch holds the reusable buffers of one featurisation.
type scratch struct {
	norm, tail  []byte
	toks, ttoks []span
	runes       []int
	idx         []uint32
	val         []float32
	fu          stemBits // stem set of the follow-up
	// stemCache holds the stem sets of recently seen messages: consecutive
	// follow-ups of a conversation share requests, and a follow-up is the
	// next follow-up's request. stemKeys holds their keys apart, so a
	// lookup scans a few cache lines.
	stemKeys  [stemCacheSize]stemKey
	stemCache [stemCacheSize]stemEntry
	stemNext  int
}

// stemCacheSize is enough that every message of the real ShareGPT sample is
// stemmed once (8 re-stemmed one message in seven).
const stemCacheSize = 16

// stemKey identifies the string a cached stem set was computed from
// (strings are immutable, so the same data pointer and length mean the same
// text).
type stemKey struct {
	data *byte
	n    int
}

// stemEntry holds the cached stem sets of one text.
type stemEntry struct {
	set stemBits // stemSet of the text
	pre stemBits // stemSet of its first replySimWindow bytes
}

// stems returns the stem set of s (see stemSet).
func (sc *scratch) stems(s string) *stemBits { return &sc.stemEntry(s).set }

// stemEntry returns the cached stem sets of s, computing them on a miss.
func (sc *scratch) stemEntry(s string) *stemEntry {
	k := stemKey{unsafe.StringData(s), len(s)}
	for i := range sc.stemKeys {
		if sc.stemKeys[i] == k {
			return &sc.stemCache[i]
		}
	}
	i := sc.stemNext
	sc.stemNext = (i + 1) % stemCacheSize
	sc.stemKeys[i] = k
	e := &sc.stemCache[i]
	stemSets(s, cut(s, replySimWindow), &e.set, &e.pre)
	return e
}

type span struct{ s, e int }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// features is a sparse feature vector.
type features struct {
	idx []uint32
	val []float32
}

// featurizer turns turns into hashed sparse features.
type featurizer struct {
	cfg  FeatureConfig
	mask uint32
}

func newFeaturizer(cfg FeatureConfig) featurizer {
	cfg = cfg.withDefaults()
	return featurizer{cfg: cfg, mask: uint32(1)<<cfg.HashBits - 1}
}

func (f *featurizer) add(sc *scratch, h uint32, v float32) {
	// Finalise the hash (murmur3 fmix32) so low bits are well mixed.
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	sc.idx = append(sc.idx, h&f.mask)
	sc.val = append(sc.val, v)
}

func (f *featurizer) flag(sc *scratch, name string) { f.add(sc, hstr(fnvOffset, name), 1) }

func (f *featurizer) bucket(sc *scratch, name string, b int, v float32) {
	h := hstr(fnvOffset, name)
	h = hbyte(h, ':')
	h = hbyte(h, byte(b+64))
	f.add(sc, h, v)
}

// featurize fills sc.idx/sc.val with the features of t.
func (f *featurizer) featurize(t *heuristics.Turn, signals []heuristics.Signal, sc *scratch) {
	sc.idx = sc.idx[:0]
	sc.val = sc.val[:0]
	text := t.Text()
	sc.fu = *sc.stems(text)

	// Text of the follow-up.
	head := text
	if len(head) > headWindow {
		head = head[:cut(head, headWindow)]
	}
	sc.norm = normalize(sc.norm[:0], head)
	sc.toks = tokenize(sc.toks[:0], sc.norm)
	if len(text) > headWindow {
		tail := text[len(text)-tailWindow:]
		for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
			tail = tail[1:]
		}
		sc.tail = normalize(sc.tail[:0], tail)
		sc.ttoks = tokenize(sc.ttoks[:0], sc.tail)
	} else {
		sc.tail = append(sc.tail[:0], sc.norm...)
		sc.ttoks = append(sc.ttoks[:0], sc.toks...)
	}
	f.words(sc)
	f.chars(sc)
	f.edges(sc)

	// Shape of the follow-up.
	nWords := len(sc.toks)
	f.bucket(sc, "len", lenBucket(len(text)), 1)
	f.bucket(sc, "nw", min(nWords, 8), 1)
	if strings.Contains(text, "?") {
		f.flag(sc, "fq")
	}
	if strings.Contains(text, "!") {
		f.flag(sc, "fexcl")
	}
	fcode, ftrace := hasCode(text), hasTraceback(text)
	if fcode {
		f.flag(sc, "fcode")
	}
	if ftrace {
		f.flag(sc, "ftrace")
	}
	if hasUpperRun(head) {
		f.flag(sc, "fcaps")
	}
	turnNo := 0
	for i := 0; i < t.FollowUp; i++ {
		if t.Conv.Messages[i].Role == "user" {
			turnNo++
		}
	}
	f.bucket(sc, "turn", min(turnNo, 6), 1)

	// Reply.
	if t.Reply >= 0 && t.Reply < len(t.Conv.Messages) {
		reply := t.ReplyText()
		asks, refuses := replyAsks(reply), replyRefuses(reply)
		// One count of the reply's code fences serves both of its checks.
		fences := strings.Count(reply, "```")
		rcode := fences > 0 || hasCodeLines(reply)
		f.bucket(sc, "rlen", lenBucket(len(reply)), 1)
		if asks {
			f.flag(sc, "rq")
			f.bucket(sc, "x:asked-len", min(nWords, 8), 1)
		}
		if refuses {
			f.flag(sc, "rref")
			f.bucket(sc, "x:refused-len", min(nWords, 8), 1)
		}
		if rcode {
			f.flag(sc, "rcode")
			if fcode || ftrace {
				f.flag(sc, "x:code-then-error") // an error pasted after code
			}
		}
		if replyCutOffFences(reply, fences) {
			f.flag(sc, "rcut")
		}
		if len(text) > 0 && len(reply) > 0 {
			r := math.Log2(float64(len(text)) / float64(len(reply)))
			f.bucket(sc, "ratio-rep", clampBucket(r, 8), 1)
		}
		f.similarity(sc, &simReply, &sc.stemEntry(reply).pre)
	}

	// The assistant's next reply, when the log has one: assistants open
	// with an apology or an acknowledgement after dissatisfaction.
	if n := t.FollowUp + 1; n < len(t.Conv.Messages) && t.Conv.Messages[n].Role == "assistant" {
		f.nextReply(sc, t.Conv.Messages[n].Content)
		if f.cfg.Structure > 0 && t.Reply >= 0 {
			f.revision(sc, t.ReplyText(), t.Conv.Messages[n].Content)
		}
	} else {
		f.flag(sc, "nonext")
	}

	// Request and earlier requests.
	req := t.RequestText()
	if t.Request < 0 || req == "" {
		f.flag(sc, "noreq")
	} else {
		r := math.Log2(float64(len(text)+1) / float64(len(req)+1))
		f.bucket(sc, "ratio-req", clampBucket(r, 6), 1)
		f.similarity(sc, &simRequest, sc.stems(req))
		best, n := 0.0, 0
		for i := t.Request - 1; i >= 0 && n < earlierTurns; i-- {
			m := t.Conv.Messages[i]
			if m.Role != "user" || m.Content == "" {
				continue
			}
			n++
			if s := jaccardFU(sc, m.Content); s > best {
				best = s
			}
		}
		if n > 0 {
			f.add(sc, hstr(fnvOffset, "simprev"), float32(best))
			f.bucket(sc, "simprevb", int(best*5), 1)
		}
	}

	if !f.cfg.NoHeuristic {
		f.heuristic(sc, signals)
	}
	if f.cfg.Structure > 0 {
		f.structure(sc, text, fcode, signals)
	}
}

// nextReply adds features of the opening of the assistant's next reply.
func (f *featurizer) nextReply(sc *scratch, next string) {
	head := next[:cut(next, 80)]
	sc.tail = normalize(sc.tail[:0], head)
	sc.ttoks = tokenize(sc.ttoks[:0], sc.tail)
	k := min(len(sc.ttoks), 3)
	for i := 0; i < k; i++ {
		tk := sc.ttoks[i]
		h := hbyte(hstr(fnvOffset, "n"), byte('0'+i))
		f.add(sc, hbytes(h, sc.tail[tk.s:tk.e]), 1/float32(i+1))
	}
	if k >= 2 {
		h := hstr(fnvOffset, "nb:")
		h = hbytes(h, sc.tail[sc.ttoks[0].s:sc.ttoks[0].e])
		h = hbyte(h, ' ')
		h = hbytes(h, sc.tail[sc.ttoks[1].s:sc.ttoks[1].e])
		f.add(sc, h, 1)
	}
	if apologyCues.in(head, 0) {
		f.flag(sc, "napology")
	}
}

// apologyCues open a reply that concedes a mistake; own wording.
var apologyCues = withCurlyQuotes(true,
	"i apologize", "i apologise", "apologies", "my apologies", "sorry", "i'm sorry", "you're right", "you are right",
	"you're correct", "you are correct", "my mistake", "thank you for pointing", "thanks for pointing",
	"i see, ", "oops", "good catch", "i misunderstood",
	// Spanish, Russian, Chinese, French, German, Portuguese
	"lo siento", "disculpa", "disculpe", "mis disculpas", "perdón", "perdon", "tienes razón", "tienes razon",
	"tiene razón", "tiene razon", "me equivoqué", "me equivoque", "error mío", "error mio",
	"прошу прощения", "извините", "извини", "простите", "приношу извинения", "вы правы", "ты прав",
	"моя ошибка", "я ошибся", "я ошиблась",
	"抱歉", "对不起", "對不起", "不好意思", "你说得对", "您说得对", "你說得對", "您說得對", "我的错", "我的錯", "我搞错了",
	"我理解错了",
	"désolé", "desole", "excusez-moi", "vous avez raison", "tu as raison", "entschuldigung", "tut mir leid",
	"sie haben recht", "du hast recht", "desculpe", "desculpa", "você tem razão", "voce tem razao", "peço desculpas",
)

// withCurlyQuotes returns a cue set of cues plus their variants with a
// typographic apostrophe.
// A cue that starts with a non-ASCII lower-case letter ("извините") also
// gets a capitalised variant: the cue set folds ASCII case only.
func withCurlyQuotes(wordStart bool, cues ...string) *cueSet {
	all := slices.Clone(cues)
	for _, c := range cues {
		if strings.Contains(c, "'") {
			all = append(all, strings.ReplaceAll(c, "'", "\u2019"))
		}
		if r, size := utf8.DecodeRuneInString(c); r >= utf8.RuneSelf && unicode.IsLower(r) {
			all = append(all, string(unicode.ToUpper(r))+c[size:])
		}
	}
	return newCueSet(wordStart, all...)
}

// words adds word unigram and bigram features over the first MaxWords tokens.
func (f *featurizer) words(sc *scratch) {
	toks := sc.toks
	if len(toks) > f.cfg.MaxWords {
		toks = toks[:f.cfg.MaxWords]
	}
	if len(toks) == 0 {
		f.flag(sc, "empty")
		return
	}
	v := float32(1 / math.Sqrt(float64(2*len(toks))))
	for i, tk := range toks {
		w := sc.norm[tk.s:tk.e]
		f.add(sc, hbytes(hstr(fnvOffset, "w:"), w), v)
		if i > 0 {
			h := hstr(fnvOffset, "b:")
			h = hbytes(h, sc.norm[toks[i-1].s:toks[i-1].e])
			h = hbyte(h, ' ')
			h = hbytes(h, w)
			f.add(sc, h, v)
		}
	}
}

// chars adds character n-grams over the first MaxChars bytes of the
// normalised follow-up, padded with spaces.
func (f *featurizer) chars(sc *scratch) {
	txt := sc.norm
	if len(txt) > f.cfg.MaxChars {
		txt = txt[:cut(string(txt), f.cfg.MaxChars)]
	}
	if len(txt) == 0 {
		return
	}
	if isASCII(string(txt)) {
		f.charsASCII(sc, txt)
		return
	}
	// Rune start offsets of " " + txt + " ".
	sc.runes = sc.runes[:0]
	sc.runes = append(sc.runes, -1)
	for i := range string(txt) {
		sc.runes = append(sc.runes, i)
	}
	sc.runes = append(sc.runes, len(txt))
	nr := len(sc.runes)
	total := 0
	for n := f.cfg.CharNGramMin; n <= f.cfg.CharNGramMax; n++ {
		if nr >= n {
			total += nr - n + 1
		}
	}
	if total == 0 {
		return
	}
	v := float32(1 / math.Sqrt(float64(total)))
	for n := f.cfg.CharNGramMin; n <= f.cfg.CharNGramMax; n++ {
		base := hbyte(hstr(fnvOffset, "c:"), byte('0'+n))
		for i := 0; i+n <= nr; i++ {
			h := base
			s := sc.runes[i]
			if s < 0 {
				h = hbyte(h, ' ')
				s = 0
			}
			var e int
			if i+n < nr {
				e = sc.runes[i+n]
				h = hbytes(h, txt[s:e])
			} else {
				h = hbytes(h, txt[s:])
				h = hbyte(h, ' ')
			}
			f.add(sc, h, v)
		}
	}
}

// charsASCII is chars for text of single-byte runes: the n-grams are the
// byte windows of " " + txt + " ", hashed byte by byte as chars hashes
// them, with the same count and order.
func (f *featurizer) charsASCII(sc *scratch, txt []byte) {
	nr := len(txt) + 2
	total := 0
	for n := f.cfg.CharNGramMin; n <= f.cfg.CharNGramMax; n++ {
		if nr >= n {
			total += nr - n + 1
		}
	}
	v := float32(1 / math.Sqrt(float64(total)))
	var pad [2 + 256]byte
	p := pad[:0]
	if len(txt)+2 > len(pad) {
		p = make([]byte, 0, len(txt)+2)
	}
	p = append(p, ' ')
	p = append(p, txt...)
	p = append(p, ' ')
	for n := f.cfg.CharNGramMin; n <= f.cfg.CharNGramMax; n++ {
		base := hbyte(hstr(fnvOffset, "c:"), byte('0'+n))
		if n == 3 { // the default: unrolled
			for i := 0; i+2 < len(p); i++ {
				f.add(sc, hbyte(hbyte(hbyte(base, p[i]), p[i+1]), p[i+2]), v)
			}
			continue
		}
		for i := 0; i+n <= len(p); i++ {
			f.add(sc, hbytes(base, p[i:i+n]), v)
		}
	}
}

// edges adds position features for the first and last words, and the whole
// text when it is short.
func (f *featurizer) edges(sc *scratch) {
	k := f.cfg.EdgeWords
	for i := 0; i < k && i < len(sc.toks); i++ {
		h := hbyte(hstr(fnvOffset, "p"), byte('0'+i))
		f.add(sc, hbytes(h, sc.norm[sc.toks[i].s:sc.toks[i].e]), 1/float32(i+1))
	}
	if len(sc.toks) >= 2 {
		h := hstr(fnvOffset, "pb:")
		h = hbytes(h, sc.norm[sc.toks[0].s:sc.toks[0].e])
		h = hbyte(h, ' ')
		h = hbytes(h, sc.norm[sc.toks[1].s:sc.toks[1].e])
		f.add(sc, h, 1)
	}
	for i := 0; i < k && i < len(sc.ttoks); i++ {
		tk := sc.ttoks[len(sc.ttoks)-1-i]
		h := hbyte(hstr(fnvOffset, "s"), byte('0'+i))
		f.add(sc, hbytes(h, sc.tail[tk.s:tk.e]), 1/float32(i+1))
	}
	if len(sc.toks) > 0 && len(sc.toks) <= 4 && len(sc.norm) <= 40 {
		h := hstr(fnvOffset, "all:")
		for i, tk := range sc.toks {
			if i > 0 {
				h = hbyte(h, ' ')
			}
			h = hbytes(h, sc.norm[tk.s:tk.e])
		}
		f.add(sc, h, 1)
	}
}

// simNames are the feature names of one similarity comparison.
type simNames struct{ none, jac, cont, jacB, contB string }

var (
	simReply   = simNames{"simrep", "simjrep", "simcrep", "simjbrep", "simcbrep"}
	simRequest = simNames{"simreq", "simjreq", "simcreq", "simjbreq", "simcbreq"}
)

// similarity adds stemmed-token similarity features between the follow-up
// (whose stem set is in sc.fu) and another message's stem set b.
func (f *featurizer) similarity(sc *scratch, n *simNames, b *stemBits) {
	na, nb := sc.fu.len(), b.len()
	if na == 0 || nb == 0 {
		f.bucket(sc, n.none, 15, 1)
		return
	}
	inter := sc.fu.intersect(b)
	jac := float64(inter) / float64(na+nb-inter)
	cont := float64(inter) / float64(na)
	f.add(sc, hstr(fnvOffset, n.jac), float32(jac))
	f.add(sc, hstr(fnvOffset, n.cont), float32(cont))
	f.bucket(sc, n.jacB, int(jac*5), 1)
	f.bucket(sc, n.contB, int(cont*5), 1)
}

// jaccardFU is the Jaccard similarity of the follow-up's stem set to other's.
func jaccardFU(sc *scratch, other string) float64 {
	b := sc.stems(other)
	na, nb := sc.fu.len(), b.len()
	if na == 0 || nb == 0 {
		return 0
	}
	inter := sc.fu.intersect(b)
	return float64(inter) / float64(na+nb-inter)
}

func jaccard(sc *scratch, a, b string) float64 {
	sc.fu = *sc.stems(a)
	return jaccardFU(sc, b)
}

// lightStem strips common English inflections from a lower-case ASCII word
// in place. It is a deliberately small stemmer: similarity only needs
// "fix", "fixed", "fixing" and "fixes" to meet, and scoring must stay cheap.
func lightStem(w []byte) []byte {
	// The suffix rules in order: -ies, -sses, -ing, -ed, -ly, -es after
	// s/x/z/h, then -s; each needs two bytes left before the suffix. Only
	// the rules for the last byte are tried.
	n := len(w)
	if n == 0 {
		return w
	}
	switch w[n-1] {
	case 's':
		switch {
		case n > 5 && w[n-3] == 'i' && w[n-2] == 'e':
			w = append(w[:n-3], 'y')
		case n > 6 && w[n-4] == 's' && w[n-3] == 's' && w[n-2] == 'e':
			w = w[:n-2]
		case n > 4 && w[n-2] == 'e' && (w[n-3] == 's' || w[n-3] == 'x' || w[n-3] == 'z' || w[n-3] == 'h'):
			w = w[:n-2]
		case n > 3 && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
			w = w[:n-1]
		}
	case 'g':
		if n > 5 && w[n-3] == 'i' && w[n-2] == 'n' {
			w = w[:n-3]
		}
	case 'd':
		if n > 4 && w[n-2] == 'e' {
			w = w[:n-2]
		}
	case 'y':
		if n > 4 && w[n-2] == 'l' {
			w = w[:n-2]
		}
	}
	if n := len(w); n > 3 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	if n := len(w); n > 3 && w[n-1] == w[n-2] && w[n-1] != 'l' && w[n-1] != 's' && w[n-1] != 'z' {
		w = w[:n-1] // "stopp" -> "stop"
	}
	return w
}

// stopWordList holds English function words left out of similarity, and the
// ASCII-spelled Spanish ones (own list).
const stopWordList = `a an the and or but if then else of to in on at by for with from as into about
	is are was were be been being am do does did done have has had having will would shall should can could may
	might must i me my mine we us our you your he him his she her it its they them their this that these those
	there here what which who whom whose when where why how all any both each few more most other some such no
	nor not only own same so than too very just also up down out over under again once can't don't i'm it's
	please thanks thank ok okay yes
	que de la el los las del al por para con una es se lo le les su sus como pero muy mas esta este esto eso
	ese esa hay mi tu te me nos ya si sin sobre entre cual cuales gracias favor puedes podrias`

// stopWords is an open-addressed set of the FNV hashes of stopWordList, so
// the check costs one hash and a probe or two, without a map lookup.
var stopWords = func() (t [512]uint32) {
	for _, w := range strings.Fields(stopWordList) {
		h := hstr(fnvOffset, w) | 1 // 0 marks an empty slot
		for i := h; ; i++ {
			if t[i%512] == 0 {
				t[i%512] = h
				break
			}
		}
	}
	return t
}()

func isStopWord(w []byte) bool { return isStopHash(hbytes(fnvOffset, w)) }

// isStopHash reports whether h is the hash of a stop word.
func isStopHash(h uint32) bool {
	h |= 1
	for i := h; ; i++ {
		switch t := stopWords[i%512]; t {
		case h:
			return true
		case 0:
			return false
		}
	}
}

// stemBits is a set of stem hashes as a 2048-bit bitmap. Two stems
// sharing a bit count as one; with at most simMaxTokens stems that is rare
// and only blurs the similarity features slightly.
type stemBits [32]uint64

func (b *stemBits) add(h uint32) {
	h ^= h >> 15
	h *= 0x2c1b3c6d
	h ^= h >> 12
	h &= 2047
	b[h/64] |= 1 << (h % 64)
}

func (b *stemBits) len() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

func (b *stemBits) intersect(o *stemBits) int {
	n := 0
	for i, w := range b {
		n += bits.OnesCount64(w & o[i])
	}
	return n
}

// stemSet returns the set of the stemmed content words of the first
// simWindow bytes (at most simMaxTokens words) of s.
func stemSet(s string) (set stemBits) {
	var pre stemBits
	stemSets(s, len(s), &set, &pre)
	return set
}

// stemSets sets *set to stemSet(s) and *pre to stemSet(s[:b]) in one pass
// over s; b must be a rune boundary.
func stemSets(s string, b int, set, pre *stemBits) {
	*set = stemBits{}
	if len(s) > simWindow {
		s = s[:cut(s, simWindow)]
	}
	done := false // pre is complete
	n := 0
	var buf [64]byte
	for i := 0; i < len(s) && n < simMaxTokens; {
		t := wordByte[s[i]]
		if t == 0 {
			i++
			continue
		}
		// Scan the word: its ASCII opening (at most 64 bytes) is
		// lower-cased into buf and hashed as stemWord does.
		j, h := i, uint32(fnvOffset)
		if t != nonASCIIByte {
			w := s[i:min(len(s), i+len(buf))]
			k := 0
			for ; k < len(w); k++ {
				c := wordByte[w[k]]
				if c == 0 || c == nonASCIIByte {
					break
				}
				buf[k&63] = c
				h = (h ^ uint32(c)) * fnvPrime
			}
			j += k
		}
		ascii := true
		if j < len(s) && wordByte[s[j]] != 0 {
			// The word goes on past 64 bytes or into a non-ASCII rune.
			var end int
			end, ascii = scanWord(s, j)
			if end == i {
				// s[i] starts a rune that is not a word character.
				_, size := utf8.DecodeRuneInString(s[i:])
				i += size
				continue
			}
			j = end
		}
		if !done && j > b {
			stemPre(set, pre, s[i:j], b-i)
			done = true
		}
		if ascii && j-i <= len(buf) {
			if wh, ok := stemFinish(buf[:j-i], h); ok {
				set.add(wh)
				n++
			}
		} else {
			n += foreignStems(set, s[i:j])
		}
		i = j
	}
	if !done {
		*pre = *set
	}
}

// nonASCIIByte marks the bytes of multi-byte runes in wordByte.
const nonASCIIByte = 0xff

// wordByte maps an ASCII word character to its lower-case form, any other
// ASCII byte to 0 and every byte of a multi-byte rune to nonASCIIByte: one
// lookup per byte for stemSets' scan.
var wordByte = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = nonASCIIByte
		case asciiWord[c]:
			t[c] = lowerASCII(byte(c))
		}
	}
	return t
}()

// scanWord continues the word of s that reaches byte j (a word character
// or the start of a multi-byte rune) and returns where it ends and whether
// it stayed ASCII. A word is a run of ASCII word characters and letters or
// digits (isWordRune).
//
//go:noinline
func scanWord(s string, j int) (end int, ascii bool) {
	ascii = true
	for j < len(s) {
		if c := s[j]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isWordRune(r) {
			break
		}
		ascii = false
		j += size
	}
	return j, ascii
}

// stemPre sets *pre for the first word w of stemSets' text that does not
// end within its first b bytes (b counted from the word's start): the
// stems before it, in *set, plus those of the word cut at b when it starts
// before b.
//
//go:noinline
func stemPre(set, pre *stemBits, w string, b int) {
	*pre = *set
	if b > 0 {
		var buf [64]byte
		stemWord(pre, w[:b], &buf)
	}
}

// maxStopWord is the length of the longest stop word.
var maxStopWord = func() int {
	n := 0
	for _, w := range strings.Fields(stopWordList) {
		n = max(n, len(w))
	}
	return n
}()

// stemWord adds the stems of word w to set as stemSet does and returns how
// many it added: a plain ASCII word of at most 64 bytes gives its light
// stem unless it is a stop word or shorter than two bytes; any other word
// goes to foreignStems. buf is scratch space.
func stemWord(set *stemBits, w string, buf *[64]byte) int {
	if len(w) > len(buf) || !isASCII(w) {
		return foreignStems(set, w)
	}
	// Lower-case w into buf, hashing it.
	h := uint32(fnvOffset)
	for k := 0; k < len(w); k++ {
		c := w[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[k] = c
		h = (h ^ uint32(c)) * fnvPrime
	}
	if wh, ok := stemFinish(buf[:len(w)], h); ok {
		set.add(wh)
		return 1
	}
	return 0
}

// fnvPrimeInverse is the inverse of fnvPrime modulo 2^32: unhash undoes
// one FNV-1a step.
const fnvPrimeInverse = 0x359c449b

// unhash returns the FNV-1a hash h had before byte c was hashed into it.
func unhash(h uint32, c byte) uint32 { return h*fnvPrimeInverse ^ uint32(c) }

// stemFinish returns the stem hash of a lower-case ASCII word given its
// FNV-1a hash h, and false when it is a stop word or shorter than two
// bytes. The stem is the word less a few bytes, or (-ies to -y) the word
// less three bytes plus 'y', so its hash is h with the cut bytes unhashed
// (plus 'y'). lightStem may rewrite word: only the 'i' of -ies, to 'y'.
func stemFinish(word []byte, h uint32) (uint32, bool) {
	n := len(word)
	if n < 2 || n <= maxStopWord && isStopHash(h) {
		return 0, false
	}
	ies := n > 5 && word[n-3] == 'i' && word[n-2] == 'e' && word[n-1] == 's'
	l := len(lightStem(word))
	if ies {
		h = unhash(unhash(unhash(h, 's'), 'e'), 'i') // the word less -ies
		if l == n-2 {
			return hbyte(h, 'y'), true
		}
		n -= 3 // -ies became -y, then a doubled y went: "xyyies"
	}
	for p := n - 1; p >= l; p-- {
		h = unhash(h, word[p])
	}
	return h, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foreignPrefix is how many runes of a non-ASCII word stemSet keeps.
const foreignPrefix = 6

// foreignStems adds the stems of one word that is not plain ASCII to set
// and returns how many it added. The English suffix stemmer knows nothing
// of other languages, so: a run of Han characters, which has no spaces
// between its words, gives its character bigrams (one character alone
// gives itself); any other word is lower-cased and cut to its first
// foreignPrefix runes, a crude stem that lets inflected forms meet
// ("ребёнка", "ребенку"; "información", "informaciones"), with ё read as е;
// short Russian and Spanish function words are left out.
//
//go:noinline
func foreignStems(set *stemBits, w string) int {
	added := 0
	var prev rune
	han := false
	for _, r := range w {
		if !isHan(r) {
			continue
		}
		han = true
		if prev != 0 {
			set.add(hrune(hrune(fnvOffset, prev), r))
			added++
		}
		prev = r
	}
	if han {
		if added == 0 && prev != 0 {
			set.add(hrune(fnvOffset, prev))
			added++
		}
		return added
	}
	h := uint32(fnvOffset)
	k := 0
	for _, r := range w {
		if k == foreignPrefix {
			break
		}
		r = toLower(r)
		if r == 'ё' {
			r = 'е'
		}
		h = hrune(h, r)
		k++
	}
	if k < 2 || foreignStop[h] {
		return 0
	}
	set.add(h)
	return 1
}

// foreignStop holds the hashes (as foreignStems computes them) of
// non-ASCII function words of Russian and Spanish; own list.
var foreignStop = func() map[uint32]bool {
	m := map[uint32]bool{}
	for _, w := range strings.Fields(`не на что это как мне для по из ты вы мой твой так но же бы или
		он она оно они мы их его её ее то все всё уже ещё еще там тут вот да нет при про без
		был была было были есть можно нужно пожалуйста спасибо
		qué cómo más está están también él sí tú él ésta éste`) {
		h := uint32(fnvOffset)
		k := 0
		for _, r := range w {
			if k == foreignPrefix {
				break
			}
			if r == 'ё' {
				r = 'е'
			}
			h = hrune(h, r)
			k++
		}
		m[h] = true
	}
	return m
}()

// heuristic adds features from the heuristic signals: combined score per
// category (noisy-OR), the SAT score, and which detectors fired.
func (f *featurizer) heuristic(sc *scratch, signals []heuristics.Signal) {
	if len(signals) == 0 {
		f.flag(sc, "h:none")
		return
	}
	var cat [8]float64 // per category, then [6] = any DSAT, [7] = SAT
	for _, s := range signals {
		sc := math.Max(0, math.Min(1, s.Score))
		if s.Polarity == heuristics.SAT {
			cat[7] = 1 - (1-cat[7])*(1-sc)
			continue
		}
		cat[6] = 1 - (1-cat[6])*(1-sc)
		if i := categoryIndex(s.Category); i >= 0 {
			cat[i] = 1 - (1-cat[i])*(1-sc)
		}
	}
	names := [8]string{"h:refinement", "h:correction", "h:complaint", "h:preference", "h:doubt", "h:pushback", "h:dsat", "h:sat"}
	for i, v := range cat {
		if v <= 0 {
			continue
		}
		f.add(sc, hstr(fnvOffset, names[i]), float32(v)*heuristicScale)
		f.bucket(sc, names[i], int(v*4), heuristicScale)
	}
	if cat[6] > 0 && cat[7] > 0 {
		f.flag(sc, "h:mixed")
	}
	for _, s := range signals {
		h := hstr(fnvOffset, "hd:")
		h = hstr(h, s.Detector)
		h = hbyte(h, byte('0'+s.Polarity))
		h = hstr(h, string(s.Category))
		f.add(sc, h, float32(s.Score)*heuristicScale)
	}
}

func categoryIndex(c heuristics.Category) int {
	for i, k := range heuristics.Categories {
		if k == c {
			return i
		}
	}
	return -1
}

// normalize appends a lower-cased, whitespace-collapsed form of s to dst.
// Digit runs become a single '0' and typographic quotes become ASCII.
func normalize(dst []byte, s string) []byte {
	space := true
	digit := false
	for i := 0; i < len(s); i++ {
		// ASCII fast path: no decoding, no case tables.
		if c := s[i]; c < utf8.RuneSelf {
			switch {
			case c == ' ' || '\t' <= c && c <= '\r':
				if !space {
					dst = append(dst, ' ')
					space = true
				}
				digit = false
				continue
			case '0' <= c && c <= '9':
				if !digit {
					dst = append(dst, '0')
				}
				digit = true
				space = false
				continue
			case c == '`':
				c = '\''
			}
			dst = append(dst, lowerASCII(c))
			digit, space = false, false
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size - 1
		switch {
		case unicode.IsSpace(r):
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			digit = false
			continue
		case r == '\u2019' || r == '\u2018':
			r = '\''
		case r == '\u201c' || r == '\u201d':
			r = '"'
		default:
			r = toLower(r)
		}
		digit = false
		space = false
		dst = utf8.AppendRune(dst, r)
	}
	if n := len(dst); n > 0 && dst[n-1] == ' ' {
		dst = dst[:n-1]
	}
	return dst
}

// tokenize appends the word tokens of normalised text b to dst: runs of
// letters, digits and apostrophes, plus '?' and '!' as tokens of their own.
func tokenize(dst []span, b []byte) []span {
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[i:])
		}
		if r == '?' || r == '!' {
			dst = append(dst, span{i, i + size})
			i += size
			continue
		}
		if !isWordRune(r) {
			i += size
			continue
		}
		j := i
		for j < len(b) {
			if c := b[j]; c < utf8.RuneSelf { // ASCII fast path
				if !asciiWord[c] && c != '\'' {
					break
				}
				j++
				continue
			}
			r, size := utf8.DecodeRune(b[j:])
			if !isWordRune(r) {
				break
			}
			if isHan(r) && j > i { // each Han character is a token of its own
				break
			}
			j += size
			if isHan(r) {
				break
			}
		}
		dst = append(dst, span{i, j})
		i = j
	}
	return dst
}

// asciiWord marks the ASCII bytes that are word characters.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return asciiWord[r]
	case isBasicCyrillic(r) || isCJKUnified(r):
		return true // letters, without a table search
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isHan(r rune) bool { return isCJKUnified(r) || r >= 0x2E80 && unicode.Is(unicode.Han, r) }

// isCJKUnified reports whether r is in the CJK Unified Ideographs block,
// whose code points are all Han letters without case.
func isCJKUnified(r rune) bool { return 0x4E00 <= r && r <= 0x9FFF }

// isBasicCyrillic reports whether r is one of the 64 basic Russian letters
// А–я (U+0410–U+044F).
func isBasicCyrillic(r rune) bool { return 0x0410 <= r && r <= 0x044F }

// toLower is unicode.ToLower with fast paths for the scripts most of the
// logs are in.
func toLower(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case isBasicCyrillic(r):
		if r <= 0x042F {
			r += 0x20
		}
		return r
	case isCJKUnified(r):
		return r
	}
	return unicode.ToLower(r)
}

// cut returns the largest rune boundary <= n in s.
func cut(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

func lenBucket(n int) int {
	if n <= 0 {
		return 0
	}
	b := 1
	for n > 4 && b < numLenBuckets {
		n >>= 1
		b++
	}
	return b
}

func clampBucket(x float64, lim int) int {
	b := int(math.Round(x))
	return max(-lim, min(lim, b)) + lim
}

// hasCode reports whether s looks like it contains source code: a code
// fence anywhere, or two code-like lines in its first KiB.
func hasCode(s string) bool { return strings.Contains(s, "```") || hasCodeLines(s) }

// hasCodeLines reports whether the first KiB of s has two code-like lines.
func hasCodeLines(s string) bool {
	codey := 0
	for line := range strings.Lines(s[:cut(s, 1024)]) {
		l := strings.TrimSpace(line)
		if l == "" {
			continue
		}
		last := l[len(l)-1]
		if last == ';' || last == '{' || last == '}' || strings.HasPrefix(l, "def ") ||
			strings.HasPrefix(l, "import ") || strings.HasPrefix(l, "#include") || strings.HasPrefix(l, "func ") ||
			strings.Contains(l, ") {") || strings.Contains(l, " = ") && strings.Contains(l, "(") {
			codey++
			if codey >= 2 {
				return true
			}
		}
	}
	return false
}

// tracebackCues are lower-case marks of an error report; own wording.
var tracebackCues = newCueSet(false,
	"traceback (most recent call last)", "error:", "exception", "errno", "stack trace",
	"undefined reference", "segmentation fault", "panic:", "    at ",
)

// hasTraceback reports whether s contains an error report such as a stack
// trace. It looks at the first KiB.
func hasTraceback(s string) bool { return tracebackCues.in(s, 1024) }

func hasUpperRun(s string) bool {
	run := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // ASCII fast path
			i++
			if 'A' <= c && c <= 'Z' {
				run++
				if run >= 5 {
					return true
				}
			} else if c != ' ' {
				run = 0
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsUpper(r) {
			run++
			if run >= 5 {
				return true
			}
		} else if r != ' ' {
			run = 0
		}
	}
	return false
}

// replyAsks reports whether the reply ends by asking the user something.
func replyAsks(reply string) bool {
	tail := strings.TrimSpace(reply)
	if len(tail) > replyEdge {
		tail = tail[len(tail)-replyEdge:]
	}
	return strings.Contains(tail, "?")
}

// refusal openings, lower case; own wording of common refusal shapes.
var refusalCues = withCurlyQuotes(true,
	"i'm sorry, but", "i am sorry, but", "i apologize, but", "i cannot", "i can't", "i can not",
	"i'm not able to", "i am not able to", "i'm unable to", "i am unable to", "as an ai", "as a language model",
	"i don't have access", "i do not have access", "i don't have the ability", "i do not have the ability",
	"not appropriate for me", "i won't be able", "i'm not allowed",
	// Spanish, Russian, Chinese
	"lo siento, pero", "no puedo", "no me es posible", "como modelo de lenguaje", "como ia", "como una ia",
	"как языковая модель", "как ии", "я не могу", "к сожалению, я не", "не могу помочь",
	"我无法", "我無法", "我不能", "作为一个语言模型", "作为一个ai", "作为ai", "作为人工智能", "作為一個語言模型", "很抱歉，我",
)

func replyRefuses(reply string) bool { return refusalCues.in(reply, cut(reply, refusalEdge)) }

// replyCutOff reports whether the reply looks truncated: an unclosed code
// fence, or a long reply that stops without closing punctuation.
func replyCutOff(reply string) bool { return replyCutOffFences(reply, strings.Count(reply, "```")) }

// replyCutOffFences is replyCutOff given the number of code fences in the
// reply.
func replyCutOffFences(reply string, fences int) bool {
	if fences%2 == 1 {
		return true
	}
	r := strings.TrimRight(reply, " \t\r\n")
	if len(r) < 1200 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(r)
	return !strings.ContainsRune(".!?)]}\"'`:;*>|", last) && !unicode.Is(unicode.Han, last) && last != '。'
}
