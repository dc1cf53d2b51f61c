package dsat

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// AnchorID returns the stable id of the anchor for the follow-up at original
// message index turn of conversation convID: the first 16 hex digits of
// SHA-256(convID + "\x00" + turn).
func AnchorID(convID string, turn int) string {
	h := sha256.New()
	h.Write([]byte(convID))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, int64(turn), 10))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:8])
}

// anchorCandidate is an anchor with the position of its event.
type anchorCandidate struct {
	a     Anchor
	event int
}

// buildAnchors turns the DSAT events of res into anchors according to the
// policy, attaches chosen replies and applies token budgets.
func (m *Miner) buildAnchors(res *Result, dsatAt, satAt map[int]bool) {
	c := res.Conversation
	cats := map[int][]heuristics.Category{}
	for ei := range res.Events {
		if e := &res.Events[ei]; e.Kind == KindDSAT {
			cats[e.FollowUp] = e.Categories
		}
	}
	var cands []anchorCandidate
	for ei := range res.Events {
		e := &res.Events[ei]
		if e.Kind != KindDSAT {
			continue
		}
		score, reason := m.anchorScore(e)
		if reason == "" && score < m.cfg.MinScore {
			reason = SkipBelowMinScore
		}
		if reason == "" && e.Request < 0 {
			reason = SkipNoRequest
		}
		if reason != "" {
			res.skip(reason)
			continue
		}
		// The rejected reply: the assistant messages after the prompt (a
		// reply logged in several messages is kept whole).
		end := promptEnd(c.Messages, e.Request, e.Reply)
		a := eventAnchor(c, e, end)
		a.Rejected = chatMessages(c.Messages[end : e.Reply+1])
		a.Categories = make([]string, len(e.Categories))
		a.Score = round4(score)
		for i, cat := range e.Categories {
			a.Categories[i] = string(cat)
		}
		if r, chain := chosenReply(c, e.FollowUp, dsatAt, satAt); r >= 0 {
			reason := PairDRIFT
			if !m.cfg.DRIFTPairing {
				reason = pairReason(c, a.Prompt, chain, cats)
			}
			res.pairing(reason)
			if !strings.HasPrefix(reason, "dropped_") {
				a.Chosen = []ChatMessage{chatMessage(c.Messages[r])}
				a.Pairing = reason
			}
		}
		if m.tokens != nil {
			if reason := m.tokens.fit(&a); reason != "" {
				res.skip(reason)
				continue
			}
		}
		cands = append(cands, anchorCandidate{a: a, event: ei})
	}
	if n := m.cfg.MaxAnchorsPerConversation; n > 0 && len(cands) > n {
		slices.SortStableFunc(cands, func(x, y anchorCandidate) int {
			return cmp.Compare(y.a.Score, x.a.Score)
		})
		for range cands[n:] {
			res.skip(SkipMaxAnchors)
		}
		cands = cands[:n]
		slices.SortFunc(cands, func(x, y anchorCandidate) int { return cmp.Compare(x.event, y.event) })
	}
	for _, ac := range cands {
		res.Anchors = append(res.Anchors, ac.a)
	}
}

// eventAnchor returns the part of an anchor that every record built from
// event e shares: its identity, the prompt c.Messages[:end], the follow-up
// and the evidence (never nil).
func eventAnchor(c *conversation.Conversation, e *Event, end int) Anchor {
	a := Anchor{
		ID:             AnchorID(c.ID, e.Turn),
		ConversationID: c.ID,
		Source:         c.Source,
		Model:          c.Model,
		Language:       c.Language,
		Turn:           e.Turn,
		Prompt:         chatMessages(c.Messages[:end]),
		UserPreference: chatMessage(c.Messages[e.FollowUp]),
		Evidence:       e.Evidence,

		DetectorVersion: e.DetectorVersion,
	}
	if a.Evidence == nil {
		a.Evidence = []Evidence{}
	}
	return a
}

// buildDesirable collects the SAT-confirmed replies of res.
func (m *Miner) buildDesirable(res *Result) {
	c := res.Conversation
	for ei := range res.Events {
		e := &res.Events[ei]
		if e.Kind != KindSAT || e.Request < 0 {
			continue
		}
		a := eventAnchor(c, e, promptEnd(c.Messages, e.Request, e.Reply))
		a.Rejected, a.Categories = []ChatMessage{}, []string{}
		a.Score = e.Score
		a.Chosen = []ChatMessage{chatMessage(c.Messages[e.Reply])}
		a.Desirable = true
		if m.tokens != nil && m.tokens.fit(&a) != "" {
			res.skip(SkipDesirableTooLong)
			continue
		}
		res.Desirable = append(res.Desirable, a)
	}
}

// anchorScore applies the doubt and pushback policy to a DSAT event. It
// returns the anchor score, or a skip reason when the event makes no anchor.
func (m *Miner) anchorScore(e *Event) (float64, string) {
	var full, doubt float64
	hasPushback := false
	for _, cat := range e.Categories {
		s := e.CategoryScores[cat]
		switch cat {
		case heuristics.Doubt:
			if m.cfg.DoubtAnchors {
				doubt = s * m.cfg.DoubtWeight
			}
		case heuristics.Pushback:
			hasPushback = true
			if m.cfg.PushbackAnchors {
				full = max(full, s)
			}
		default:
			full = max(full, s)
		}
	}
	if full > 0 || doubt > 0 {
		return max(full, doubt), ""
	}
	if hasPushback {
		return 0, SkipPushbackPolicy
	}
	return 0, SkipDoubtPolicy
}

// chosenReply also returns the chain of DSAT follow-ups from i to the
// chosen reply.
//
// chosenReply finds a later assistant reply that answers the same need as
// the DSAT follow-up at i and received a SAT follow-up: following the chain
// of replies to i and to any further DSAT follow-ups, it returns the first
// reply whose follow-up is SAT, or -1 when the chain ends first (a neutral
// follow-up, which starts a new need, or the end of the conversation).
func chosenReply(c *conversation.Conversation, i int, dsatAt, satAt map[int]bool) (int, []int) {
	msgs := c.Messages
	chain := []int{i}
	for {
		// The reply to the follow-up: the first assistant message after it,
		// skipping further user messages (one request) and tool messages.
		r := -1
		for j := i + 1; j < len(msgs); j++ {
			if msgs[j].Role == conversation.Assistant {
				r = j
				// A tool-calling step is followed by tool output and another
				// assistant message; the judged reply is the last assistant
				// message before the next user message.
				for k := j + 1; k < len(msgs) && msgs[k].Role != conversation.User; k++ {
					if msgs[k].Role == conversation.Assistant {
						r = k
					}
				}
				break
			}
		}
		if r < 0 || r+1 >= len(msgs) || msgs[r+1].Role != conversation.User {
			return -1, nil
		}
		f := r + 1
		switch {
		case satAt[f]:
			return r, chain
		case dsatAt[f]:
			i = f
			chain = append(chain, f)
		default:
			return -1, nil
		}
	}
}

func chatMessage(m conversation.Message) ChatMessage {
	cm := ChatMessage{Role: string(m.Role), Content: m.Content}
	switch m.Role {
	case conversation.Assistant:
		cm.ToolCalls = m.ToolCalls
	case conversation.Tool:
		cm.ToolCallID, cm.Name = m.ToolCallID, m.Name
	}
	return cm
}

// promptEnd returns the end (exclusive) of the prompt of the reply at
// index reply: everything before it up to the last user or tool message, so
// that when the reply followed tool calls the calls and their outputs stay
// in the prompt. request is the index of the user request.
func promptEnd(msgs []conversation.Message, request, reply int) int {
	for i := reply - 1; i > request; i-- {
		if msgs[i].Role == conversation.Tool {
			return i + 1
		}
	}
	return request + 1
}

func chatMessages(ms []conversation.Message) []ChatMessage {
	out := make([]ChatMessage, len(ms))
	for i, m := range ms {
		out[i] = chatMessage(m)
	}
	return out
}

func (r *Result) pairing(reason string) {
	if r.Pairing == nil {
		r.Pairing = map[string]int{}
	}
	r.Pairing[reason]++
}

func (r *Result) skip(reason string) {
	if r.Skipped == nil {
		r.Skipped = map[string]int{}
	}
	r.Skipped[reason]++
}
