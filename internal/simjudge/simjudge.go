// Package simjudge is a simulated LLM judge for development and tests: an
// http.Handler that serves the OpenAI chat-completions API the way
// classifier/llmjudge calls it, and answers every request from labelled
// conversations instead of a model, right for a chosen share of follow-ups.
//
// It finds the follow-up in the request (the FOLLOW-UP block of the user
// message llmjudge writes), looks up its label by the follow-up's text (the
// judged reply's opening breaks ties between equal follow-ups; labelled texts
// are indexed as llmjudge.Redact sends them too), and answers
// with the verdict JSON the judge's rubric asks for, quoting evidence
// verbatim from the follow-up as sent. Errors are deterministic and
// symmetric: the DSAT verdict of a follow-up is flipped when a hash of its
// conversation ID and turn (and Options.Seed) falls in the lowest
// 1-Accuracy of the hash range, whatever its label, so the same follow-up is
// always answered the same way and about 1-Accuracy of DSAT and of non-DSAT
// follow-ups alike are answered wrongly.
//
// `go run ./internal/cmd/simjudge` serves it on a port for the README's
// measurements; tests run it under net/http/httptest.
package simjudge

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/classifier/llmjudge"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/labelled"
)

// Options configure a Judge.
type Options struct {
	// Accuracy is the share of follow-ups whose DSAT verdict is the label's
	// (0 <= Accuracy <= 1); the rest are flipped.
	Accuracy float64
	// Seed changes which follow-ups are answered wrongly.
	Seed uint64
	// Confidence is the confidence of every verdict (default 0.9).
	Confidence float64
}

// Stats counts what a Judge answered.
type Stats struct {
	// Requests counts chat-completions requests; Matched those whose
	// follow-up was found among the labels, and Unmatched the others
	// (answered "neither" without flipping).
	Requests  int64 `json:"requests"`
	Matched   int64 `json:"matched"`
	Unmatched int64 `json:"unmatched"`
	// Flipped counts matched requests answered against their label.
	Flipped int64 `json:"flipped"`
	// DSAT counts requests answered dsat=true.
	DSAT int64 `json:"dsat"`
}

// entry is one labelled follow-up.
type entry struct {
	id       string
	turn     int
	label    labelled.Label
	followUp string // whitespace-collapsed
	reply    string // whitespace-collapsed
	// redacted is followUp as the judge sends it by default.
	redacted string
}

// keyLen is how many bytes of a collapsed follow-up index it.
const keyLen = 24

// Judge is the simulated judge. It is safe for concurrent use.
type Judge struct {
	opts  Options
	byKey map[string][]*entry
	all   []*entry // every entry, by conversation ID and turn

	mu    sync.Mutex
	stats Stats
}

// New returns a judge that answers from the labelled conversations ls.
func New(ls []*labelled.Record, opts Options) (*Judge, error) {
	if opts.Accuracy < 0 || opts.Accuracy > 1 || math.IsNaN(opts.Accuracy) {
		return nil, fmt.Errorf("simjudge: accuracy %v outside [0,1]", opts.Accuracy)
	}
	if opts.Confidence == 0 {
		opts.Confidence = 0.9
	}
	if opts.Confidence < 0.5 || opts.Confidence > 1 {
		return nil, fmt.Errorf("simjudge: confidence %v outside [0.5,1]", opts.Confidence)
	}
	j := &Judge{opts: opts, byKey: map[string][]*entry{}}
	for _, l := range ls {
		c := l.Conversation()
		for _, lb := range l.Labels {
			e := &entry{id: l.ID, turn: lb.Turn, label: lb}
			k := slices.IndexFunc(c.Messages, func(m conversation.Message) bool { return m.Index == lb.Turn })
			if k < 0 {
				continue // not a message of the normalised conversation
			}
			e.followUp = collapse(c.Messages[k].Content)
			e.redacted = collapse(llmjudge.Redact(c.Messages[k].Content))
			for r := k - 1; r >= 0; r-- {
				if c.Messages[r].Role == conversation.Assistant {
					e.reply = collapse(c.Messages[r].Content)
					break
				}
			}
			key := prefix(e.followUp, keyLen)
			j.byKey[key] = append(j.byKey[key], e)
			if rk := prefix(e.redacted, keyLen); rk != key {
				j.byKey[rk] = append(j.byKey[rk], e)
			}
			j.all = append(j.all, e)
		}
	}
	for _, es := range j.byKey {
		slices.SortStableFunc(es, byIDTurn)
	}
	slices.SortStableFunc(j.all, byIDTurn)
	return j, nil
}

func byIDTurn(a, b *entry) int {
	if c := strings.Compare(a.id, b.id); c != 0 {
		return c
	}
	return a.turn - b.turn
}

// Load reads labelled conversations from files (JSON Lines, gzip or zstd
// allowed).
func Load(ctx context.Context, paths ...string) ([]*labelled.Record, error) {
	var out []*labelled.Record
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		r := labelled.NewReader(f, p)
		for {
			l, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				f.Close()
				return nil, err
			}
			out = append(out, l)
		}
		err = errors.Join(r.Close(), f.Close())
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Len returns the number of labelled follow-ups the judge knows.
func (j *Judge) Len() int { return len(j.all) }

// Stats returns a snapshot of the counters.
func (j *Judge) Stats() Stats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.stats
}

// Verdict is the JSON object the judge answers with (the shape the
// llmjudge rubric asks for).
type Verdict struct {
	DSAT       bool     `json:"dsat"`
	SAT        bool     `json:"sat"`
	Categories []string `json:"categories"`
	Confidence float64  `json:"confidence"`
	Evidence   []string `json:"evidence"`
}

// Flipped reports whether the judge answers the follow-up (id, turn)
// against its label.
func (j *Judge) Flipped(id string, turn int) bool {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], j.opts.Seed)
	h.Write(b[:])
	fmt.Fprintf(h, "%s\x00%d", id, turn)
	u := float64(binary.LittleEndian.Uint64(h.Sum(nil))>>11) / (1 << 53)
	return u < 1-j.opts.Accuracy
}

// knownCategories are the DSAT categories a verdict may name.
var knownCategories = []string{"refinement", "correction", "complaint", "preference", "doubt", "pushback"}

// Judge answers the follow-up followUp of the reply reply, as sent in a
// judge request (followUp may be truncated and redacted; only the opening
// of reply is compared). matched is false when no label was found.
func (j *Judge) Judge(followUp, reply string) (v Verdict, matched bool) {
	e := j.find(collapse(followUp), collapse(reply))
	v = Verdict{Categories: []string{}, Confidence: j.opts.Confidence, Evidence: []string{}}
	flipped := false
	if e != nil {
		flipped = j.Flipped(e.id, e.turn)
		v.DSAT = e.label.DSAT != flipped
		v.SAT = e.label.SAT && !e.label.DSAT && !flipped
		if v.DSAT {
			for _, c := range e.label.Categories {
				if slices.Contains(knownCategories, c) && !flipped {
					v.Categories = append(v.Categories, c)
				}
			}
			if len(v.Categories) == 0 {
				v.Categories = append(v.Categories, "complaint")
			}
		}
		if v.DSAT || v.SAT {
			v.Evidence = append(v.Evidence, evidence(followUp, e.label.Evidence))
		}
	}
	j.mu.Lock()
	j.stats.Requests++
	if e != nil {
		j.stats.Matched++
	} else {
		j.stats.Unmatched++
	}
	if flipped {
		j.stats.Flipped++
	}
	if v.DSAT {
		j.stats.DSAT++
	}
	j.mu.Unlock()
	return v, e != nil
}

// find looks the follow-up up: an exact match of the collapsed text first,
// then a labelled follow-up that the sent text begins (a truncated
// follow-up), then the one sharing the longest opening (redaction changed
// the text); equal candidates are told apart by the reply's opening.
func (j *Judge) find(fu, reply string) *entry {
	cands := j.byKey[prefix(fu, keyLen)]
	if len(fu) < keyLen {
		cands = j.all // a follow-up cut short of the key
	}
	var exact, prefixed []*entry
	for _, e := range cands {
		switch {
		case e.followUp == fu || e.redacted == fu:
			exact = append(exact, e)
		case fu != "" && (strings.HasPrefix(e.followUp, fu) || strings.HasPrefix(e.redacted, fu)):
			prefixed = append(prefixed, e)
		}
	}
	pick := func(es []*entry) *entry {
		rh := prefix(reply, 48)
		for _, e := range es {
			if prefix(e.reply, 48) == rh {
				return e
			}
		}
		return es[0]
	}
	switch {
	case len(exact) > 0:
		return pick(exact)
	case len(prefixed) > 0:
		return pick(prefixed)
	}
	// Text changed otherwise: the longest common opening, if it is
	// substantial.
	var best []*entry
	bestN := 0
	for _, e := range j.all {
		n := max(commonPrefix(e.followUp, fu), commonPrefix(e.redacted, fu))
		switch {
		case n > bestN:
			best, bestN = []*entry{e}, n
		case n == bestN && n > 0:
			best = append(best, e)
		}
	}
	if bestN < 16 || bestN < len(fu)/2 {
		return nil
	}
	return pick(best)
}

// evidence returns a verbatim quote from the follow-up as sent: the
// label's evidence when the follow-up contains it, else its opening (at
// most 80 bytes, cut at a word).
func evidence(followUp, labelled string) string {
	if l := strings.TrimSpace(labelled); l != "" && strings.Contains(followUp, l) {
		return l
	}
	s := strings.TrimSpace(followUp)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > 80 {
		cut := 80
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if sp := strings.LastIndexFunc(s[:cut], unicode.IsSpace); sp > 20 {
			cut = sp
		}
		s = strings.TrimSpace(s[:cut])
	}
	return s
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// prefix returns the first n bytes of s, cut back to a rune boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Request shapes of the chat-completions API, as far as the judge uses them.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model    string        `json:"model"`
	Messages []chatMessage `json:"messages"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	FinishReason string      `json:"finish_reason"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type chatResponse struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   chatUsage    `json:"usage"`
}

// Markers of the judge's user message (classifier/llmjudge): each text is
// written "LABEL:\n<<<\nTEXT\n>>>", the follow-up last; a truncated
// follow-up ends with cutMarker.
const (
	followUpLabel = "\nFOLLOW-UP ("
	replyLabel    = "REPLY ("
	blockOpen     = "\n<<<\n"
	blockClose    = "\n>>>"
	cutMarker     = "\n[… rest of the follow-up omitted …]"
)

// ParseRequest extracts the judged reply and the follow-up from the user
// message of a judge request.
func ParseRequest(user string) (reply, followUp string, err error) {
	i := strings.LastIndex(user, followUpLabel)
	if i < 0 {
		return "", "", errors.New("simjudge: no FOLLOW-UP block in the request")
	}
	fu := user[i:]
	o := strings.Index(fu, blockOpen)
	c := strings.LastIndex(fu, blockClose)
	if o < 0 || c < o+len(blockOpen) {
		return "", "", errors.New("simjudge: malformed FOLLOW-UP block")
	}
	followUp = strings.TrimSuffix(fu[o+len(blockOpen):c], cutMarker)
	head := user[:i]
	if r := strings.Index(head, replyLabel); r >= 0 {
		rb := head[r:]
		if o := strings.Index(rb, blockOpen); o >= 0 {
			rb = rb[o+len(blockOpen):]
			if c := strings.LastIndex(rb, blockClose); c >= 0 {
				rb = rb[:c]
			}
			reply = rb
		}
	}
	return reply, followUp, nil
}

// ServeHTTP answers POST …/chat/completions requests.
func (j *Judge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		http.Error(w, `{"error":{"message":"cannot read the body"}}`, http.StatusBadRequest)
		return
	}
	var req chatRequest
	if err := jsonx.Unmarshal(body, &req); err != nil || len(req.Messages) < 2 {
		http.Error(w, `{"error":{"message":"not a chat-completions request"}}`, http.StatusBadRequest)
		return
	}
	// The first user message holds the texts (a repair request repeats it).
	user := ""
	for _, m := range req.Messages {
		if m.Role == "user" {
			user = m.Content
			break
		}
	}
	reply, followUp, err := ParseRequest(user)
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"error":{"message":%q}}`, err.Error()), http.StatusBadRequest)
		return
	}
	v, _ := j.Judge(followUp, reply)
	content, err := jsonx.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"message":"encoding"}}`, http.StatusInternalServerError)
		return
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(m.Content)/4 + 4
	}
	resp := chatResponse{
		ID: "simjudge", Object: "chat.completion", Model: req.Model,
		Choices: []chatChoice{{Message: chatMessage{Role: "assistant", Content: string(content)}, FinishReason: "stop"}},
		Usage:   chatUsage{PromptTokens: prompt, CompletionTokens: len(content)/4 + 1},
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens + resp.Usage.CompletionTokens
	out, err := jsonx.Marshal(resp)
	if err != nil {
		http.Error(w, `{"error":{"message":"encoding"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}
