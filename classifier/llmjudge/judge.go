package llmjudge

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// Errors returned by Classify. Use errors.Is to test for them; HTTP failures
// are returned as *HTTPError.
var (
	// ErrBudgetExhausted means the request or token budget is spent: no
	// request was sent, and none will be for the rest of the run.
	ErrBudgetExhausted error = &reasonError{reason: "judge_budget_exhausted", msg: "llmjudge: budget exhausted"}
	// ErrMalformed means the model's output was not a valid verdict, even
	// after one repair request.
	ErrMalformed error = &reasonError{reason: "judge_malformed", msg: "llmjudge: malformed verdict"}
	// ErrUnverifiable means the verdict's evidence is not quoted verbatim from
	// the follow-up, or a DSAT verdict quoted nothing. The verdict is dropped.
	ErrUnverifiable error = &reasonError{reason: "judge_unverifiable", msg: "llmjudge: unverifiable evidence"}
	// ErrTimeout means a request took longer than Config.Timeout on every attempt.
	ErrTimeout error = &reasonError{reason: "judge_timeout", msg: "llmjudge: request timed out"}
	// ErrProtocol means the server answered 2xx with something that is not a
	// chat-completions response.
	ErrProtocol error = &reasonError{reason: "judge_protocol", msg: "llmjudge: unexpected response"}
	// ErrInvalidTurn means the turn does not point at a follow-up of an
	// assistant reply.
	ErrInvalidTurn error = &reasonError{reason: "judge_invalid_turn", msg: "llmjudge: invalid turn"}
)

// reasonError is a sentinel error that names its key in the run statistics
// (see classifier.ErrorReason).
type reasonError struct{ reason, msg string }

func (e *reasonError) Error() string  { return e.msg }
func (e *reasonError) Reason() string { return e.reason }

// HTTPError is a non-2xx answer from the server (after any retries).
type HTTPError struct {
	StatusCode int
	// Body is the start of the response body (with the API key removed).
	Body string
}

// Reason is the key under which the miner counts HTTP failures.
func (e *HTTPError) Reason() string { return "judge_http_error" }

func (e *HTTPError) Error() string {
	return fmt.Sprintf("llmjudge: server answered %d %s: %s",
		e.StatusCode, http.StatusText(e.StatusCode), strings.TrimSpace(e.Body))
}

// Defaults used for zero Config fields.
const (
	DefaultConcurrency   = 4
	DefaultTimeout       = 60 * time.Second
	DefaultMaxRetries    = 4
	DefaultContextTokens = 1024
)

// Config configures a Judge. The zero value of every field except Endpoint
// and Model selects a default.
type Config struct {
	// Endpoint is the base URL of an OpenAI-compatible API, such as
	// "http://localhost:8000/v1"; the judge posts to Endpoint+"/chat/completions".
	Endpoint string
	// Model is the model name sent with every request.
	Model string
	// APIKey, if set, is sent as "Authorization: Bearer …". It never appears
	// in errors or statistics.
	APIKey string
	// Concurrency bounds the turns being judged at once (default 4). A turn
	// keeps its slot while it waits to retry, so a rate-limited server sees
	// fewer requests, not more.
	Concurrency int
	// Timeout bounds each HTTP request, retries excluded (default 60s).
	Timeout time.Duration
	// MaxRetries is how often a request is repeated after a 429, a 5xx, a
	// timeout or a transport error (default 4; negative means none).
	MaxRetries int
	// MaxRequests is the most HTTP requests the judge sends, retries and
	// repairs included (0 = unlimited).
	MaxRequests int64
	// MaxTokens is the most prompt plus completion tokens the judge spends
	// (0 = unlimited). A request is only sent if its prompt, counted locally,
	// fits in what is left, so only completions can overrun the budget.
	MaxTokens int64
	// ContextTokens is how many cl100k_base tokens of each of the request,
	// the reply and the follow-up are sent (default 1024; negative means no
	// truncation). Long requests and replies keep their start and end; a long
	// follow-up keeps its start.
	ContextTokens int
	// CacheDir, if set, holds a content-addressed cache of verdicts, so
	// reruns do not pay twice.
	CacheDir string
	// NoRedact turns redaction off. By default e-mail addresses, phone
	// numbers, API keys and tokens are replaced with placeholders such as
	// <EMAIL> before any text leaves the process.
	NoRedact bool
	// HTTPClient sends the requests (default: a new http.Client).
	HTTPClient *http.Client
}

// DefaultConfig returns a Config for endpoint and model with the defaults
// filled in.
func DefaultConfig(endpoint, model string) Config {
	return Config{
		Endpoint:      endpoint,
		Model:         model,
		Concurrency:   DefaultConcurrency,
		Timeout:       DefaultTimeout,
		MaxRetries:    DefaultMaxRetries,
		ContextTokens: DefaultContextTokens,
	}
}

// Stats counts what a Judge did. All counters are cumulative.
type Stats struct {
	// Calls is the number of Classify calls.
	Calls int64 `json:"calls"`
	// Verdicts is the number of calls that returned a verified prediction.
	Verdicts int64 `json:"verdicts"`
	// Requests is the number of HTTP requests sent, retries and repairs included.
	Requests int64 `json:"requests"`
	// CacheHits is the number of calls answered from the cache.
	CacheHits int64 `json:"cache_hits"`
	// CacheErrors counts cache entries that could not be read or written
	// (the call goes on without the cache).
	CacheErrors int64 `json:"cache_errors"`
	// PromptTokens and CompletionTokens are as reported by the server (or
	// counted locally when it reports no usage).
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	// Retries counts repeated requests after 429, 5xx, timeouts and transport errors.
	Retries int64 `json:"retries"`
	// Malformed counts calls that failed with ErrMalformed.
	Malformed int64 `json:"malformed"`
	// Repaired counts malformed outputs that the repair request fixed.
	Repaired int64 `json:"repaired"`
	// Unverifiable counts verdicts rejected with ErrUnverifiable.
	Unverifiable int64 `json:"unverifiable"`
	// Failures counts calls that returned an error other than
	// ErrBudgetExhausted and ErrUnverifiable (Malformed ones included).
	Failures int64 `json:"failures"`
	// BudgetExhausted is true once the request or token budget ran out.
	BudgetExhausted bool `json:"budget_exhausted"`
	// SkippedBudget counts calls refused with ErrBudgetExhausted.
	SkippedBudget int64 `json:"skipped_budget"`
	// Redactions counts replaced items by kind (KindEmail, KindAPIKey, …).
	Redactions map[string]int64 `json:"redactions,omitempty"`
}

// Judge is a classifier.Classifier that asks an LLM, through an
// OpenAI-compatible chat-completions API, whether a follow-up expresses
// dissatisfaction with the reply before it. It is safe for concurrent use.
type Judge struct {
	cfg    Config
	url    string
	client *http.Client
	cache  *diskCache
	tok    tokenizer
	sem    chan struct{}

	rubricTokens int64
	noFormat     atomic.Bool

	mu      sync.Mutex
	stats   Stats
	pending int64 // tokens reserved by requests in flight

	rngMu sync.Mutex
	rng   *rand.Rand

	// Test hooks.
	sleep func(context.Context, time.Duration) error
	now   func() time.Time
}

var _ classifier.Classifier = (*Judge)(nil)

// New returns a Judge for cfg. Zero Concurrency, Timeout, MaxRetries and
// ContextTokens take their defaults.
func New(cfg Config) (*Judge, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("llmjudge: no endpoint")
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llmjudge: endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.Model == "" {
		return nil, errors.New("llmjudge: no model")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.ContextTokens == 0 {
		cfg.ContextTokens = DefaultContextTokens
	}
	if cfg.MaxRequests < 0 || cfg.MaxTokens < 0 {
		return nil, errors.New("llmjudge: negative budget")
	}
	e, err := encoding()
	if err != nil {
		return nil, fmt.Errorf("llmjudge: loading tokenizer: %w", err)
	}
	j := &Judge{
		cfg:    cfg,
		url:    chatURL(cfg.Endpoint),
		client: cfg.HTTPClient,
		tok:    tokenizer{e},
		sem:    make(chan struct{}, cfg.Concurrency),
		rng:    rand.New(rand.NewPCG(0x64736174, 0x6d696e65)),
		sleep:  sleepCtx,
		now:    time.Now,
	}
	if j.client == nil {
		j.client = &http.Client{}
	}
	if cfg.CacheDir != "" {
		j.cache = &diskCache{dir: cfg.CacheDir}
	}
	j.rubricTokens = int64(j.tok.count(rubricText))
	return j, nil
}

// chatURL appends /chat/completions to a base URL, unless it is there already.
func chatURL(endpoint string) string {
	u := strings.TrimRight(endpoint, "/")
	if strings.HasSuffix(u, "/chat/completions") {
		return u
	}
	return u + "/chat/completions"
}

// Name identifies the judge and its model, e.g. "llmjudge:qwen2.5-7b".
func (j *Judge) Name() string { return "llmjudge:" + j.cfg.Model }

// Stats returns a snapshot of the judge's counters.
func (j *Judge) Stats() Stats {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.stats
	s.Redactions = maps.Clone(j.stats.Redactions)
	return s
}

func (j *Judge) count(f func(*Stats)) {
	j.mu.Lock()
	f(&j.stats)
	j.mu.Unlock()
}

// reserve charges one request and the prompt's estimated tokens to the
// budget, or fails with ErrBudgetExhausted.
func (j *Judge) reserve(estimate int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := &j.stats
	if s.BudgetExhausted ||
		(j.cfg.MaxRequests > 0 && s.Requests >= j.cfg.MaxRequests) ||
		(j.cfg.MaxTokens > 0 && s.PromptTokens+s.CompletionTokens+j.pending+estimate > j.cfg.MaxTokens) {
		s.BudgetExhausted = true
		return ErrBudgetExhausted
	}
	s.Requests++
	j.pending += estimate
	return nil
}

// settle replaces a reservation by what the request actually cost.
func (j *Judge) settle(estimate int64, u chatUsage, content string, ok bool) {
	if ok && u.prompt == 0 && u.completion == 0 {
		u = chatUsage{prompt: estimate, completion: int64(j.tok.count(content))}
	}
	j.mu.Lock()
	j.pending -= estimate
	j.stats.PromptTokens += u.prompt
	j.stats.CompletionTokens += u.completion
	j.mu.Unlock()
}

// prompt is what is sent about one turn, after redaction and truncation.
type prompt struct {
	followUp redacted // the whole redacted follow-up
	sent     string   // the part of followUp.text that was sent (a prefix)
	req      chatRequest
	tokens   int64 // local estimate of the prompt's tokens
}

const (
	labelRequest  = "REQUEST (the user message the reply answered):"
	labelReply    = "REPLY (the assistant reply being judged):"
	labelFollowUp = "FOLLOW-UP (the user's next message; quote evidence only from here):"
	markerOpen    = "<<<"
	markerClose   = ">>>"
	cutFollowUp   = "\n[… rest of the follow-up omitted …]"
	repairPrompt  = "Your previous answer could not be used (%s). Answer again with only the JSON object the instructions describe, and nothing else."
)

func (j *Judge) buildPrompt(t *heuristics.Turn, redactions map[string]int64) prompt {
	clean := func(s string) redacted {
		if j.cfg.NoRedact {
			return redacted{text: s}
		}
		return redact(s, redactions)
	}
	request, reply, follow := "", clean(t.ReplyText()), clean(t.Text())
	if t.Request >= 0 {
		request = clean(t.RequestText()).text
	}
	p := prompt{followUp: follow, sent: follow.text}
	n := j.cfg.ContextTokens
	var rqTok, rpTok, fuTok int
	cut := false
	if n > 0 {
		request, rqTok = j.tok.middle(request, n)
		reply.text, rpTok = j.tok.middle(reply.text, n)
		p.sent, fuTok, cut = j.tok.head(follow.text, n)
	} else {
		rqTok, rpTok, fuTok = j.tok.count(request), j.tok.count(reply.text), j.tok.count(follow.text)
	}
	if request == "" {
		request = "(none)"
	}
	fu := p.sent
	if cut {
		fu += cutFollowUp
	}
	var b strings.Builder
	for _, part := range [][2]string{{labelRequest, request}, {labelReply, reply.text}, {labelFollowUp, fu}} {
		b.WriteString(part[0])
		b.WriteString("\n" + markerOpen + "\n")
		b.WriteString(part[1])
		b.WriteString("\n" + markerClose + "\n\n")
	}
	user := strings.TrimSuffix(b.String(), "\n")
	p.req = chatRequest{
		Model: j.cfg.Model,
		Messages: []chatMessage{
			{Role: "system", Content: rubricText},
			{Role: "user", Content: user},
		},
		ResponseFormat: &responseFormat{Type: "json_object"},
	}
	// Framing is ~60 tokens; each message costs a few more on the server.
	p.tokens = j.rubricTokens + int64(rqTok+rpTok+fuTok) + 80
	return p
}

// validTurn checks that t points at a user follow-up of an assistant reply.
func validTurn(t *heuristics.Turn) error {
	if t == nil || t.Conv == nil {
		return fmt.Errorf("%w: nil turn", ErrInvalidTurn)
	}
	m := t.Conv.Messages
	switch {
	case t.FollowUp < 0 || t.FollowUp >= len(m) || m[t.FollowUp].Role != conversation.User:
		return fmt.Errorf("%w: message %d is not a user message", ErrInvalidTurn, t.FollowUp)
	case t.Reply < 0 || t.Reply >= t.FollowUp || m[t.Reply].Role != conversation.Assistant:
		return fmt.Errorf("%w: message %d is not an assistant reply before the follow-up", ErrInvalidTurn, t.Reply)
	case t.Request >= t.Reply || (t.Request >= 0 && m[t.Request].Role != conversation.User):
		return fmt.Errorf("%w: message %d is not the request before the reply", ErrInvalidTurn, t.Request)
	}
	return nil
}

// Classify asks the judge about the follow-up of t. signals are ignored: the
// judge sees only the request, the reply and the follow-up.
//
// Besides transport errors and *HTTPError it returns ErrBudgetExhausted,
// ErrMalformed, ErrUnverifiable, ErrTimeout and ErrInvalidTurn (test with
// errors.Is); on any error the caller should treat the turn as having no
// judge verdict.
func (j *Judge) Classify(ctx context.Context, t *heuristics.Turn, _ []heuristics.Signal) (classifier.Prediction, error) {
	j.count(func(s *Stats) { s.Calls++ })
	pred, err := j.classify(ctx, t)
	j.count(func(s *Stats) {
		switch {
		case err == nil:
			s.Verdicts++
		case errors.Is(err, ErrBudgetExhausted):
			s.SkippedBudget++
		case errors.Is(err, ErrUnverifiable):
			s.Unverifiable++
		default:
			s.Failures++
			if errors.Is(err, ErrMalformed) {
				s.Malformed++
			}
		}
	})
	return pred, err
}

func (j *Judge) classify(ctx context.Context, t *heuristics.Turn) (classifier.Prediction, error) {
	if err := validTurn(t); err != nil {
		return classifier.Prediction{}, err
	}
	if err := ctx.Err(); err != nil {
		return classifier.Prediction{}, err
	}
	redactions := map[string]int64{}
	p := j.buildPrompt(t, redactions)
	if len(redactions) > 0 {
		j.count(func(s *Stats) {
			if s.Redactions == nil {
				s.Redactions = map[string]int64{}
			}
			for k, v := range redactions {
				s.Redactions[k] += v
			}
		})
	}
	body, err := encodeRequest(p.req)
	if err != nil {
		return classifier.Prediction{}, err
	}
	key := cacheKey(j.cfg.Model, body)

	if j.cache != nil {
		raw, err := j.cache.get(key)
		if err != nil {
			j.count(func(s *Stats) { s.CacheErrors++ })
		} else if raw != nil {
			if _, v, perr := parseVerdict(string(raw)); perr == nil {
				j.count(func(s *Stats) { s.CacheHits++ })
				return j.finish(v, p, t)
			}
			j.count(func(s *Stats) { s.CacheErrors++ })
		}
	}

	j.mu.Lock()
	exhausted := j.stats.BudgetExhausted
	j.mu.Unlock()
	if exhausted {
		return classifier.Prediction{}, ErrBudgetExhausted
	}
	select {
	case j.sem <- struct{}{}:
	case <-ctx.Done():
		return classifier.Prediction{}, ctx.Err()
	}
	defer func() { <-j.sem }()

	content, err := j.complete(ctx, p.req, p.tokens)
	if err != nil {
		return classifier.Prediction{}, err
	}
	raw, v, perr := parseVerdict(content)
	if perr != nil {
		repair := p.req
		repair.Messages = append(append([]chatMessage(nil), p.req.Messages...),
			chatMessage{Role: "assistant", Content: content},
			chatMessage{Role: "user", Content: fmt.Sprintf(repairPrompt, perr)})
		est := p.tokens + int64(j.tok.count(content)) + 40
		content, err = j.complete(ctx, repair, est)
		if err != nil {
			return classifier.Prediction{}, err
		}
		raw, v, perr = parseVerdict(content)
		if perr != nil {
			return classifier.Prediction{}, fmt.Errorf("%w: %v", ErrMalformed, perr)
		}
		j.count(func(s *Stats) { s.Repaired++ })
	}
	if j.cache != nil {
		if err := j.cache.put(key, raw); err != nil {
			j.count(func(s *Stats) { s.CacheErrors++ })
		}
	}
	return j.finish(v, p, t)
}

func (j *Judge) finish(v verdict, p prompt, t *heuristics.Turn) (classifier.Prediction, error) {
	res := check(v, p.sent, p.followUp, t.Text())
	return res.pred, res.err
}
