package llmjudge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// reply is what the fake server answers to one request.
type reply struct {
	status  int
	header  map[string]string
	content string // the assistant message content (for 200)
	body    string // raw body, overrides content
	usage   [2]int64
	delay   time.Duration
}

// fakeServer speaks just enough of the chat-completions protocol.
type fakeServer struct {
	t        *testing.T
	srv      *httptest.Server
	answer   func(n int, req chatRequest) reply
	hits     atomic.Int64
	inflight atomic.Int64
	maxIn    atomic.Int64
	mu       sync.Mutex
	bodies   []string
	auth     []string
}

func newFake(t *testing.T, answer func(n int, req chatRequest) reply) *fakeServer {
	f := &fakeServer{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	n := int(f.hits.Add(1))
	in := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxIn.Load()
		if in <= m || f.maxIn.CompareAndSwap(m, in) {
			break
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	data, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(data))
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	var req chatRequest
	if err := jsonx.Unmarshal(data, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rep := f.answer(n, req)
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	body := rep.body
	if body == "" && rep.status == http.StatusOK {
		b, _ := jsonx.Marshal(map[string]any{
			"id":      fmt.Sprint("cmpl-", n),
			"object":  "chat.completion",
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": rep.content}, "finish_reason": "stop"}},
			"usage":   map[string]any{"prompt_tokens": rep.usage[0], "completion_tokens": rep.usage[1]},
		})
		body = string(b)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	io.WriteString(w, body)
}

func (f *fakeServer) config() Config {
	// A literal, not DefaultConfig: New must fill in defaults (redaction on).
	return Config{Endpoint: f.srv.URL + "/v1", Model: "judge-model", Timeout: 5 * time.Second}
}

func (f *fakeServer) sentBodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// newJudge builds a judge whose sleeps are recorded instead of waited.
func newJudge(t *testing.T, cfg Config) (*Judge, *[]time.Duration) {
	t.Helper()
	j, err := New(cfg)
	require.NoError(t, err)
	var mu sync.Mutex
	slept := &[]time.Duration{}
	j.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*slept = append(*slept, d)
		mu.Unlock()
		return ctx.Err()
	}
	return j, slept
}

func verdictJSON(dsat bool, cats []string, conf float64, evidence ...string) string {
	b, _ := jsonx.Marshal(map[string]any{"dsat": dsat, "sat": false, "categories": cats, "confidence": conf, "evidence": evidence})
	return string(b)
}

func always(content string) func(int, chatRequest) reply {
	return func(int, chatRequest) reply { return reply{content: content, usage: [2]int64{900, 40}} }
}

func turn(request, replyText, followUp string) *heuristics.Turn {
	c := &conversation.Conversation{ID: "c1", Messages: []conversation.Message{
		{Role: conversation.System, Content: "You are helpful."},
		{Role: conversation.User, Content: request},
		{Role: conversation.Assistant, Content: replyText},
		{Role: conversation.User, Content: followUp},
	}}
	return heuristics.NewTurn(c, 3)
}

var pythonTurn = turn("Write a function that reverses a string.",
	"Here it is in Java:\npublic String rev(String s) { return new StringBuilder(s).reverse().toString(); }",
	"No,   I said Python, not Java.")

func TestClassifySuccess(t *testing.T) {
	f := newFake(t, always(verdictJSON(true, []string{"correction", "Complaint", "nonsense"}, 0.9, "I said Python, not Java")))
	j, _ := newJudge(t, f.config())
	pred, err := j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.9, pred.DSAT, 1e-9)
	assert.InDelta(t, 0.1, pred.SAT, 1e-9)
	assert.Equal(t, map[heuristics.Category]float64{heuristics.Correction: 0.9, heuristics.Complaint: 0.9}, pred.Categories)
	require.Len(t, pred.Evidence, 1)
	sp := pred.Evidence[0]
	assert.Equal(t, "I said Python, not Java", sp.Text)
	assert.Equal(t, sp.Text, pythonTurn.Text()[sp.Start:sp.End])

	bodies := f.sentBodies()
	require.Len(t, bodies, 1)
	var req map[string]any
	require.NoError(t, jsonx.Unmarshal([]byte(bodies[0]), &req))
	assert.Equal(t, "judge-model", req["model"])
	assert.Equal(t, float64(0), req["temperature"])
	assert.Equal(t, map[string]any{"type": "json_object"}, req["response_format"])
	msgs := req["messages"].([]any)
	require.Len(t, msgs, 2)
	assert.Equal(t, rubricText, msgs[0].(map[string]any)["content"])
	user := msgs[1].(map[string]any)["content"].(string)
	assert.Contains(t, user, "reverses a string")
	assert.Contains(t, user, "StringBuilder")
	assert.Contains(t, user, "I said Python")
	assert.NotContains(t, user, "You are helpful", "only request, reply and follow-up are sent")

	s := j.Stats()
	assert.Equal(t, int64(1), s.Calls)
	assert.Equal(t, int64(1), s.Verdicts)
	assert.Equal(t, int64(1), s.Requests)
	assert.Equal(t, int64(900), s.PromptTokens)
	assert.Equal(t, int64(40), s.CompletionTokens)
	assert.Zero(t, s.Failures)
	assert.Equal(t, "llmjudge:judge-model", j.Name())
}

func TestNotDSATAndSAT(t *testing.T) {
	f := newFake(t, always(`{"dsat": false, "sat": true, "categories": [], "confidence": 0.8, "evidence": ["thanks"]}`))
	j, _ := newJudge(t, f.config())
	pred, err := j.Classify(context.Background(), turn("hi", "Hello!", "ok thanks, that works"), nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.2, pred.DSAT, 1e-9)
	assert.InDelta(t, 0.8, pred.SAT, 1e-9)
	assert.Empty(t, pred.Categories)
	assert.Equal(t, "thanks", pred.Evidence[0].Text)
}

func TestToleratesProseAndFences(t *testing.T) {
	content := "<think>the user corrects {x}</think>\nHere you go:\n```json\n" + verdictJSON(true, []string{"correction"}, 1.7, "I said Python") + "\n```"
	f := newFake(t, always(content))
	j, _ := newJudge(t, f.config())
	pred, err := j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	assert.Equal(t, 1.0, pred.DSAT, "confidence is clamped")
	assert.Zero(t, j.Stats().Repaired)
}

func TestMalformedThenRepaired(t *testing.T) {
	good := verdictJSON(true, []string{"correction"}, 0.7, "I said Python")
	f := newFake(t, func(n int, req chatRequest) reply {
		if n == 1 {
			return reply{content: `{"dsat": true, "categories": ["correction"]`}
		}
		return reply{content: good}
	})
	j, _ := newJudge(t, f.config())
	pred, err := j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.7, pred.DSAT, 1e-9)

	bodies := f.sentBodies()
	require.Len(t, bodies, 2)
	var req chatRequest
	require.NoError(t, jsonx.Unmarshal([]byte(bodies[1]), &req))
	require.Len(t, req.Messages, 4)
	assert.Equal(t, "assistant", req.Messages[2].Role)
	assert.Equal(t, `{"dsat": true, "categories": ["correction"]`, req.Messages[2].Content)
	assert.Contains(t, req.Messages[3].Content, "only the JSON object")

	s := j.Stats()
	assert.Equal(t, int64(1), s.Repaired)
	assert.Equal(t, int64(2), s.Requests)
	assert.Zero(t, s.Malformed)
}

func TestMalformedTwice(t *testing.T) {
	for name, content := range map[string]string{
		"prose":         "I think the user is unhappy.",
		"missing field": `{"dsat": true, "sat": false, "categories": [], "evidence": ["Python"]}`,
		"wrong type":    `{"dsat": "yes", "sat": false, "categories": [], "confidence": 0.5, "evidence": []}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, always(content))
			j, _ := newJudge(t, f.config())
			_, err := j.Classify(context.Background(), pythonTurn, nil)
			require.ErrorIs(t, err, ErrMalformed)
			s := j.Stats()
			assert.Equal(t, int64(1), s.Malformed)
			assert.Equal(t, int64(1), s.Failures)
			assert.Equal(t, int64(2), s.Requests, "one repair, no more")
			assert.Zero(t, s.Verdicts)
		})
	}
}

func TestFabricatedEvidence(t *testing.T) {
	for name, content := range map[string]string{
		"not in follow-up":    verdictJSON(true, []string{"complaint"}, 0.9, "this answer is useless"),
		"quotes the reply":    verdictJSON(true, []string{"complaint"}, 0.9, "StringBuilder"),
		"one of two invented": verdictJSON(true, []string{"correction"}, 0.9, "I said Python", "you never listen"),
		"dsat without quote":  verdictJSON(true, []string{"complaint"}, 0.9),
		"empty quote":         verdictJSON(true, []string{"complaint"}, 0.9, "  "),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, always(content))
			j, _ := newJudge(t, f.config())
			pred, err := j.Classify(context.Background(), pythonTurn, nil)
			require.ErrorIs(t, err, ErrUnverifiable)
			assert.Zero(t, pred.DSAT)
			s := j.Stats()
			assert.Equal(t, int64(1), s.Unverifiable)
			assert.Zero(t, s.Failures)
			assert.Zero(t, s.Verdicts)
		})
	}
}

func TestEvidenceWhitespaceAndQuotes(t *testing.T) {
	// The follow-up has "No,   I said"; the model collapsed the spaces and
	// wrapped the quote in quotation marks.
	f := newFake(t, always(verdictJSON(true, []string{"correction"}, 0.9, "“No, I said Python”", "not\nJava.")))
	j, _ := newJudge(t, f.config())
	pred, err := j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	require.Len(t, pred.Evidence, 2)
	assert.Equal(t, "No,   I said Python", pred.Evidence[0].Text)
	assert.Equal(t, "not Java.", pred.Evidence[1].Text)
	for _, sp := range pred.Evidence {
		assert.Equal(t, sp.Text, pythonTurn.Text()[sp.Start:sp.End])
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for name, header := range map[string]string{
		"seconds":   "3",
		"http date": now.Add(7 * time.Second).Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			good := verdictJSON(true, []string{"correction"}, 0.9, "I said Python")
			f := newFake(t, func(n int, req chatRequest) reply {
				if n == 1 {
					return reply{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": header}, body: `{"error":"slow down"}`}
				}
				return reply{content: good}
			})
			j, slept := newJudge(t, f.config())
			j.now = func() time.Time { return now }
			_, err := j.Classify(context.Background(), pythonTurn, nil)
			require.NoError(t, err)
			want := 3 * time.Second
			if name == "http date" {
				want = 7 * time.Second
			}
			assert.Equal(t, []time.Duration{want}, *slept)
			assert.Equal(t, int64(1), j.Stats().Retries)
			assert.Equal(t, int64(2), f.hits.Load())
		})
	}
}

func TestServerErrorRetried(t *testing.T) {
	good := verdictJSON(true, []string{"correction"}, 0.9, "I said Python")
	f := newFake(t, func(n int, req chatRequest) reply {
		if n <= 2 {
			return reply{status: http.StatusBadGateway, body: "upstream down"}
		}
		return reply{content: good}
	})
	j, slept := newJudge(t, f.config())
	_, err := j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	require.Len(t, *slept, 2)
	// Exponential backoff with jitter: [base/2, base) then [base, 2*base).
	assert.GreaterOrEqual(t, (*slept)[0], backoffBase/2)
	assert.Less(t, (*slept)[0], backoffBase)
	assert.GreaterOrEqual(t, (*slept)[1], backoffBase)
	assert.Less(t, (*slept)[1], 2*backoffBase)
	assert.Equal(t, int64(2), j.Stats().Retries)
}

func TestServerErrorGivesUp(t *testing.T) {
	f := newFake(t, func(int, chatRequest) reply { return reply{status: http.StatusInternalServerError, body: "boom"} })
	cfg := f.config()
	cfg.MaxRetries = 2
	j, slept := newJudge(t, cfg)
	_, err := j.Classify(context.Background(), pythonTurn, nil)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusInternalServerError, he.StatusCode)
	assert.Contains(t, he.Body, "boom")
	assert.Len(t, *slept, 2)
	s := j.Stats()
	assert.Equal(t, int64(3), s.Requests)
	assert.Equal(t, int64(1), s.Failures)
}

func TestClientErrorNotRetried(t *testing.T) {
	f := newFake(t, func(int, chatRequest) reply { return reply{status: http.StatusNotFound, body: "no such model"} })
	j, slept := newJudge(t, f.config())
	_, err := j.Classify(context.Background(), pythonTurn, nil)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusNotFound, he.StatusCode)
	assert.Empty(t, *slept)
	assert.Equal(t, int64(1), f.hits.Load())
}

func TestResponseFormatRejected(t *testing.T) {
	good := verdictJSON(true, []string{"correction"}, 0.9, "I said Python")
	f := newFake(t, func(n int, req chatRequest) reply {
		if req.ResponseFormat != nil {
			return reply{status: http.StatusBadRequest, body: `{"error":"response_format is not supported"}`}
		}
		return reply{content: good}
	})
	j, _ := newJudge(t, f.config())
	for range 2 {
		_, err := j.Classify(context.Background(), pythonTurn, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(3), f.hits.Load(), "JSON mode is dropped once for the whole run")
}

func TestTimeout(t *testing.T) {
	f := newFake(t, func(int, chatRequest) reply { return reply{delay: 10 * time.Second, content: "{}"} })
	cfg := f.config()
	cfg.Timeout = 50 * time.Millisecond
	cfg.MaxRetries = 1
	j, slept := newJudge(t, cfg)
	_, err := j.Classify(context.Background(), pythonTurn, nil)
	require.ErrorIs(t, err, ErrTimeout)
	assert.Len(t, *slept, 1)
	s := j.Stats()
	assert.Equal(t, int64(2), s.Requests)
	assert.Equal(t, int64(1), s.Failures)
}

// arrivalDeadline is a context whose deadline passes when expire is called:
// the caller gives up while the server holds its request, however slow the
// machine (a fixed timeout can pass before the request is even sent).
type arrivalDeadline struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func (c *arrivalDeadline) Done() <-chan struct{} { return c.done }
func (c *arrivalDeadline) expire()               { c.once.Do(func() { close(c.done) }) }
func (c *arrivalDeadline) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func TestContextCancelled(t *testing.T) {
	ctx := &arrivalDeadline{Context: context.Background(), done: make(chan struct{})}
	f := newFake(t, func(int, chatRequest) reply {
		ctx.expire()
		return reply{delay: 10 * time.Second, content: "{}"}
	})
	j, _ := newJudge(t, f.config())
	_, err := j.Classify(ctx, pythonTurn, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrTimeout)
	assert.Equal(t, int64(1), f.hits.Load(), "no retry after the caller gave up")
}

func TestBudgetRequests(t *testing.T) {
	f := newFake(t, always(verdictJSON(false, nil, 0.9)))
	cfg := f.config()
	cfg.MaxRequests = 2
	j, _ := newJudge(t, cfg)
	for i := range 2 {
		_, err := j.Classify(context.Background(), turn("q", "a", fmt.Sprint("follow-up ", i)), nil)
		require.NoError(t, err)
	}
	assert.False(t, j.Stats().BudgetExhausted)
	for i := range 3 {
		_, err := j.Classify(context.Background(), turn("q", "a", fmt.Sprint("later ", i)), nil)
		require.ErrorIs(t, err, ErrBudgetExhausted)
	}
	assert.Equal(t, int64(2), f.hits.Load())
	s := j.Stats()
	assert.True(t, s.BudgetExhausted)
	assert.Equal(t, int64(3), s.SkippedBudget)
	assert.Equal(t, int64(2), s.Requests)
	assert.Zero(t, s.Failures)
}

func TestBudgetTokens(t *testing.T) {
	f := newFake(t, nil)
	cfg := f.config()
	j0, err := New(cfg)
	require.NoError(t, err)
	est := j0.buildPrompt(turn("q", "a", "follow-up 0"), nil).tokens
	f.answer = func(int, chatRequest) reply {
		return reply{content: verdictJSON(false, nil, 0.9), usage: [2]int64{est, 20}}
	}
	cfg.MaxTokens = est + 10 // room for one prompt, not two
	j, _ := newJudge(t, cfg)
	_, err = j.Classify(context.Background(), turn("q", "a", "follow-up 0"), nil)
	require.NoError(t, err)
	_, err = j.Classify(context.Background(), turn("q", "a", "follow-up 1"), nil)
	require.ErrorIs(t, err, ErrBudgetExhausted)
	assert.Equal(t, int64(1), f.hits.Load())
	s := j.Stats()
	assert.True(t, s.BudgetExhausted)
	assert.Equal(t, est+20, s.PromptTokens+s.CompletionTokens)
}

func TestBudgetTokensWithoutUsage(t *testing.T) {
	// A server that reports no usage is charged the local token count.
	f := newFake(t, always(verdictJSON(false, nil, 0.9)))
	f.answer = func(int, chatRequest) reply { return reply{content: verdictJSON(false, nil, 0.9)} }
	j, _ := newJudge(t, f.config())
	_, err := j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	s := j.Stats()
	assert.Greater(t, s.PromptTokens, j.rubricTokens)
	assert.Positive(t, s.CompletionTokens)
}

func TestCacheHitOnRerun(t *testing.T) {
	dir := t.TempDir()
	f := newFake(t, always(verdictJSON(true, []string{"correction"}, 0.9, "I said Python")))
	cfg := f.config()
	cfg.CacheDir = dir
	cfg.MaxRequests = 1

	j1, _ := newJudge(t, cfg)
	p1, err := j1.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	require.Equal(t, int64(1), f.hits.Load())

	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	name := filepath.Base(files[0])
	assert.Len(t, name, 64+len(".json"))
	assert.Equal(t, name[:2], filepath.Base(filepath.Dir(files[0])))

	// A new run with the same cache: no request, and the budget (already
	// spent by the first call in j1's run) is not charged.
	j2, _ := newJudge(t, cfg)
	for range 2 {
		p2, err := j2.Classify(context.Background(), pythonTurn, nil)
		require.NoError(t, err)
		assert.Equal(t, p1, p2)
	}
	assert.Equal(t, int64(1), f.hits.Load())
	s := j2.Stats()
	assert.Equal(t, int64(2), s.CacheHits)
	assert.Zero(t, s.Requests)
	assert.False(t, s.BudgetExhausted)

	// Another model is another key.
	cfg.Model = "other-model"
	j3, _ := newJudge(t, cfg)
	_, err = j3.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(2), f.hits.Load())
}

func TestCacheCorruptEntryIsRefetched(t *testing.T) {
	dir := t.TempDir()
	f := newFake(t, always(verdictJSON(true, []string{"correction"}, 0.9, "I said Python")))
	cfg := f.config()
	cfg.CacheDir = dir
	j, _ := newJudge(t, cfg)
	_, err := j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	require.Len(t, files, 1)
	require.NoError(t, os.WriteFile(files[0], []byte("{trunc"), 0o644))
	_, err = j.Classify(context.Background(), pythonTurn, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(2), f.hits.Load())
	assert.Equal(t, int64(1), j.Stats().CacheErrors)
}

func TestRedaction(t *testing.T) {
	const (
		email = "jane.doe@example.org"
		key   = "sk-proj-AbCdEf0123456789GhIjKlMn"
		phone = "+44 20 7946 0958"
	)
	followUp := "That's wrong, my address is " + email + " and the key " + key + " failed. Call " + phone + ". It still fails."
	tt := turn("Set up the client with key "+key+" please", "Done, I emailed "+email+".", followUp)
	f := newFake(t, always(verdictJSON(true, []string{"complaint"}, 0.8, "That's wrong, my address is <EMAIL>", "It still fails.")))
	j, _ := newJudge(t, f.config())
	pred, err := j.Classify(context.Background(), tt, nil)
	require.NoError(t, err)

	body := f.sentBodies()[0]
	for _, secret := range []string{email, key, phone, "7946"} {
		assert.NotContains(t, body, secret)
	}
	assert.Contains(t, body, "<EMAIL>")
	assert.Contains(t, body, "<API_KEY>")
	assert.Contains(t, body, "<PHONE>")
	assert.Equal(t, map[string]int64{KindEmail: 2, KindAPIKey: 2, KindPhone: 1}, j.Stats().Redactions)

	// The quote with a placeholder is verified but has no span; the other
	// one is mapped back past the (longer) original secrets.
	require.Len(t, pred.Evidence, 1)
	sp := pred.Evidence[0]
	assert.Equal(t, "It still fails.", sp.Text)
	assert.Equal(t, sp.Text, followUp[sp.Start:sp.End])

	// Without redaction the text goes out as it is.
	cfg := f.config()
	cfg.NoRedact = true
	j2, _ := newJudge(t, cfg)
	_, err = j2.Classify(context.Background(), tt, nil)
	require.ErrorIs(t, err, ErrUnverifiable, "the model's <EMAIL> quote is no longer in the follow-up")
	assert.Contains(t, f.sentBodies()[1], email)
	assert.Empty(t, j2.Stats().Redactions)
}

func TestConcurrencyLimit(t *testing.T) {
	f := newFake(t, func(int, chatRequest) reply {
		return reply{content: verdictJSON(false, nil, 0.9), delay: 20 * time.Millisecond}
	})
	cfg := f.config()
	cfg.Concurrency = 2
	j, _ := newJudge(t, cfg)
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Go(func() {
			_, err := j.Classify(context.Background(), turn("q", "a", fmt.Sprint("follow-up ", i)), nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(12), f.hits.Load())
	assert.LessOrEqual(t, f.maxIn.Load(), int64(2))
	assert.Equal(t, int64(2), f.maxIn.Load(), "requests do run in parallel")
}

func TestAPIKeyBearerNeverLeaks(t *testing.T) {
	const apiKey = "test-secret-9f8e7d6c5b4a"
	f := newFake(t, func(n int, req chatRequest) reply {
		// A careless server echoing the credentials it was sent.
		return reply{status: http.StatusUnauthorized, body: `{"error":"bad key Bearer ` + apiKey + `"}`}
	})
	cfg := f.config()
	cfg.APIKey = apiKey
	j, _ := newJudge(t, cfg)
	_, err := j.Classify(context.Background(), pythonTurn, nil)
	require.Error(t, err)
	assert.Equal(t, []string{"Bearer " + apiKey}, f.auth)
	assert.NotContains(t, err.Error(), apiKey)
	assert.NotContains(t, fmt.Sprintf("%+v %#v", err, errors.Unwrap(err)), apiKey)
	stats, _ := jsonx.Marshal(j.Stats())
	assert.NotContains(t, string(stats), apiKey)
	assert.NotContains(t, fmt.Sprintf("%+v", j.Stats()), apiKey)

	// Without a key no Authorization header is sent.
	cfg.APIKey = ""
	j2, _ := newJudge(t, cfg)
	_, _ = j2.Classify(context.Background(), pythonTurn, nil)
	assert.Equal(t, "", f.auth[1])
}

func TestInvalidTurn(t *testing.T) {
	f := newFake(t, always(verdictJSON(false, nil, 0.9)))
	j, _ := newJudge(t, f.config())
	c := &conversation.Conversation{Messages: []conversation.Message{
		{Role: conversation.User, Content: "a"},
		{Role: conversation.User, Content: "b"},
		{Role: conversation.Assistant, Content: "c"},
	}}
	for _, tt := range []*heuristics.Turn{
		nil,
		{Conv: c, FollowUp: 0, Reply: -1, Request: -1},
		{Conv: c, FollowUp: 1, Reply: 0, Request: -1},
		{Conv: c, FollowUp: 2, Reply: 1, Request: 0},
		{Conv: c, FollowUp: 9, Reply: 8, Request: 7},
	} {
		_, err := j.Classify(context.Background(), tt, nil)
		require.ErrorIs(t, err, ErrInvalidTurn)
	}
	assert.Zero(t, f.hits.Load())

	// A reply with no request before it is fine.
	c2 := &conversation.Conversation{Messages: []conversation.Message{
		{Role: conversation.Assistant, Content: "Hi, how can I help?"},
		{Role: conversation.User, Content: "thanks"},
	}}
	_, err := j.Classify(context.Background(), heuristics.NewTurn(c2, 1), nil)
	require.NoError(t, err)
	assert.Contains(t, f.sentBodies()[0], "(none)")
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{
		{Model: "m"},
		{Endpoint: "localhost:8000", Model: "m"},
		{Endpoint: "http://localhost:8000/v1"},
		{Endpoint: "http://localhost:8000/v1", Model: "m", MaxTokens: -1},
	} {
		_, err := New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
	j, err := New(Config{Endpoint: "http://localhost:8000/v1/", Model: "m"})
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:8000/v1/chat/completions", j.url)
	assert.Equal(t, "http://h/v1/chat/completions", chatURL("http://h/v1/chat/completions"))
	assert.False(t, j.cfg.NoRedact, "redaction is on by default")
	assert.Equal(t, DefaultConcurrency, cap(j.sem))
	assert.Equal(t, DefaultTimeout, j.cfg.Timeout)
	assert.Equal(t, DefaultMaxRetries, j.cfg.MaxRetries)
	assert.Equal(t, DefaultContextTokens, j.cfg.ContextTokens)
}

func TestLongTextsTruncated(t *testing.T) {
	long := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 400) // ~4000 tokens
	tail := "Anyway, that is not what I asked."
	f := newFake(t, always(verdictJSON(true, []string{"complaint"}, 0.9, "The quick brown fox")))
	cfg := f.config()
	cfg.ContextTokens = 64
	j, _ := newJudge(t, cfg)
	_, err := j.Classify(context.Background(), turn(long, long+"THE END", long+tail), nil)
	require.NoError(t, err)
	var req chatRequest
	require.NoError(t, jsonx.Unmarshal([]byte(f.sentBodies()[0]), &req))
	user := req.Messages[1].Content
	assert.Less(t, j.tok.count(user), 4*64+100)
	assert.Contains(t, user, "THE END", "a long reply keeps its end")
	assert.Contains(t, user, "rest of the follow-up omitted")
	assert.NotContains(t, user, tail, "a long follow-up keeps its start only")

	// Quoting the omitted end of the follow-up is not verifiable.
	f.answer = always(verdictJSON(true, []string{"complaint"}, 0.9, tail))
	_, err = j.Classify(context.Background(), turn(long, long+"THE END", long+tail), nil)
	require.ErrorIs(t, err, ErrUnverifiable)
}
