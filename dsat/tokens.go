package dsat

import (
	"errors"
	"fmt"
	"sync"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// ErrEncoding is returned (wrapped) for an unknown or unloadable token encoding.
var ErrEncoding = errors.New("dsat: token encoding")

// Supported token encodings. Both are embedded and load offline.
const (
	EncodingCL100k = "cl100k_base"
	EncodingO200k  = "o200k_base"
)

// MessageOverheadTokens is the number of tokens counted per message on top
// of its content, for the role and the chat template's delimiters. Exact
// counts depend on the trainer's chat template; this is a close estimate.
const MessageOverheadTokens = 4

// TokenBudget limits anchor lengths in tokens. When the prompt is too long,
// the oldest history is dropped (whole exchanges, keeping every leading
// system message and the final request); an anchor that still does not fit
// is skipped with reason "prompt_too_long" or "total_too_long".
type TokenBudget struct {
	// Encoding is EncodingCL100k (the default when empty) or EncodingO200k.
	Encoding string
	// MaxPromptTokens limits the prompt; 0 means no limit.
	MaxPromptTokens int
	// MaxTotalTokens limits prompt plus the longer of rejected and chosen; 0 means no limit.
	MaxTotalTokens int
}

func (b TokenBudget) validate() error {
	switch b.Encoding {
	case "", EncodingCL100k, EncodingO200k:
	default:
		return fmt.Errorf("%w: unsupported encoding %q (want %s or %s)", ErrEncoding, b.Encoding, EncodingCL100k, EncodingO200k)
	}
	if b.MaxPromptTokens < 0 || b.MaxTotalTokens < 0 {
		return fmt.Errorf("%w: negative token budget", ErrConfig)
	}
	return nil
}

var (
	encMu     sync.Mutex
	encodings = map[string]*tiktoken.Tiktoken{}
	loaderSet sync.Once
)

// loadEncoding returns the named encoding, loading it once per process with
// the offline loader (the default loader would download the ranks).
func loadEncoding(name string) (*tiktoken.Tiktoken, error) {
	loaderSet.Do(func() { tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader()) })
	encMu.Lock()
	defer encMu.Unlock()
	if enc, ok := encodings[name]; ok {
		return enc, nil
	}
	enc, err := tiktoken.GetEncoding(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrEncoding, name, err)
	}
	encodings[name] = enc
	return enc, nil
}

// CountTokens returns the number of tokens of text in the named encoding
// ("" means cl100k_base), without special-token handling.
func CountTokens(encoding, text string) (int, error) {
	if encoding == "" {
		encoding = EncodingCL100k
	}
	if err := (TokenBudget{Encoding: encoding}).validate(); err != nil {
		return 0, err
	}
	enc, err := loadEncoding(encoding)
	if err != nil {
		return 0, err
	}
	return len(enc.EncodeOrdinary(text)), nil
}

// tokenCounter applies a TokenBudget. It is safe for concurrent use: the
// encoder is read-only after loading.
type tokenCounter struct {
	budget TokenBudget
	enc    *tiktoken.Tiktoken
}

func newTokenCounter(b TokenBudget) (*tokenCounter, error) {
	if b.Encoding == "" {
		b.Encoding = EncodingCL100k
	}
	enc, err := loadEncoding(b.Encoding)
	if err != nil {
		return nil, err
	}
	return &tokenCounter{budget: b, enc: enc}, nil
}

func (tc *tokenCounter) count(m ChatMessage) int {
	return len(tc.enc.EncodeOrdinary(m.Content)) + MessageOverheadTokens
}

// fit left-truncates a.Prompt to the budget. It returns a skip reason when
// the anchor cannot fit, or "" on success. When history was dropped, the
// number of dropped messages is recorded in a.Metadata["prompt_messages_dropped"].
//
// Every token covers at least one byte, so an anchor whose byte length fits
// the budget is accepted without tokenizing; otherwise history is counted
// from the newest message back, only as far as the budget reaches.
func (tc *tokenCounter) fit(a *Anchor) string {
	b := tc.budget
	if b.MaxPromptTokens == 0 && b.MaxTotalTokens == 0 {
		return ""
	}
	fits := func(prompt, resp int) string {
		if b.MaxPromptTokens > 0 && prompt > b.MaxPromptTokens {
			return SkipPromptTooLong
		}
		if b.MaxTotalTokens > 0 && prompt+resp > b.MaxTotalTokens {
			return SkipTotalTooLong
		}
		return ""
	}
	if fits(byteBound(a.Prompt), max(byteBound(a.Rejected), byteBound(a.Chosen))) == "" {
		return ""
	}
	resp := 0
	if b.MaxTotalTokens > 0 {
		resp = max(tc.countAll(a.Rejected), tc.countAll(a.Chosen))
	}
	// Leading system messages are always kept; so is the final request
	// (the last message, plus user messages directly before it, which form
	// one request).
	sys := 0
	for sys < len(a.Prompt) && a.Prompt[sys].Role == "system" {
		sys++
	}
	last := len(a.Prompt) - 1
	for last > sys && a.Prompt[last-1].Role == "user" {
		last--
	}
	total := tc.countAll(a.Prompt[:sys]) + tc.countAll(a.Prompt[last:])
	if reason := fits(total, resp); reason != "" {
		return reason
	}
	// Keep the longest run of history that fits and starts with a user
	// message (or is the whole history).
	start := last
	for p := last - 1; p >= sys; p-- {
		total += tc.count(a.Prompt[p])
		if fits(total, resp) != "" {
			break
		}
		if p == sys || a.Prompt[p].Role == "user" {
			start = p
		}
	}
	if dropped := start - sys; dropped > 0 {
		prompt := make([]ChatMessage, 0, len(a.Prompt)-dropped)
		prompt = append(prompt, a.Prompt[:sys]...)
		prompt = append(prompt, a.Prompt[start:]...)
		a.Prompt = prompt
		if a.Metadata == nil {
			a.Metadata = map[string]any{}
		}
		a.Metadata["prompt_messages_dropped"] = dropped
	}
	return ""
}

func (tc *tokenCounter) countAll(ms []ChatMessage) int {
	n := 0
	for _, m := range ms {
		n += tc.count(m)
	}
	return n
}

// byteBound is an upper bound of the token count of ms.
func byteBound(ms []ChatMessage) int {
	n := 0
	for _, m := range ms {
		n += len(m.Content) + MessageOverheadTokens
	}
	return n
}

// Validate returns an error wrapping ErrEncoding for an unsupported
// encoding, or ErrConfig for a negative limit.
func (b TokenBudget) Validate() error { return b.validate() }

// TokenFitter applies a TokenBudget to anchors built outside the miner (the
// UltraFeedback setting). It is safe for concurrent use.
type TokenFitter struct{ tc *tokenCounter }

// NewTokenFitter loads b's encoding and returns a fitter for b.
func NewTokenFitter(b TokenBudget) (*TokenFitter, error) {
	tc, err := newTokenCounter(b)
	if err != nil {
		return nil, err
	}
	return &TokenFitter{tc: tc}, nil
}

// Fit trims a's prompt history to the budget as the miner does and returns
// "" when a fits, or the skip reason ("prompt_too_long", "total_too_long").
func (f *TokenFitter) Fit(a *Anchor) string { return f.tc.fit(a) }
