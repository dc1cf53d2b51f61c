package llmjudge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type responseFormat struct {
	Type string `json:"type"`
}

// chatRequest is the chat-completions request body. Field order is fixed, so
// the same request always encodes to the same bytes (the cache key).
type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []chatMessage   `json:"messages"`
	Temperature    float64         `json:"temperature"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
}

// encodeRequest encodes a request body without escaping <, > and &, so that
// placeholders such as <EMAIL> reach the model as written.
func encodeRequest(req chatRequest) ([]byte, error) {
	var buf bytes.Buffer
	if err := jsonx.NewEncoder(&buf).Encode(req); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

const (
	maxResponseBytes = 8 << 20
	backoffBase      = 500 * time.Millisecond
	backoffCap       = 30 * time.Second
	retryAfterCap    = 5 * time.Minute
)

// complete sends req and returns the reply's content. It retries on 429, 5xx,
// per-request timeouts and transport errors, and charges every attempt to the
// budget. estimate is the prompt's token count as tokenized locally.
func (j *Judge) complete(ctx context.Context, req chatRequest, estimate int64) (string, error) {
	for attempt := 0; ; attempt++ {
		if j.noFormat.Load() {
			req.ResponseFormat = nil
		}
		body, err := encodeRequest(req)
		if err != nil {
			return "", err
		}
		if err := j.reserve(estimate); err != nil {
			return "", err
		}
		content, usage, retryAfter, err := j.attempt(ctx, body)
		j.settle(estimate, usage, content, err == nil)
		if err == nil {
			return content, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var he *HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusBadRequest && req.ResponseFormat != nil &&
			strings.Contains(he.Body, "response_format") {
			// The server rejects JSON mode: ask again without it, and stop
			// asking for it for the rest of the run.
			j.noFormat.Store(true)
			attempt--
			continue
		}
		if !retryable(err) || attempt >= j.cfg.MaxRetries {
			return "", err
		}
		j.count(func(s *Stats) { s.Retries++ })
		wait := retryAfter
		if wait < 0 {
			wait = j.backoff(attempt)
		}
		if err := j.sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// attempt performs one HTTP request. retryAfter is the server's requested
// delay, or -1 when it gave none.
func (j *Judge) attempt(ctx context.Context, body []byte) (content string, usage chatUsage, retryAfter time.Duration, err error) {
	retryAfter = -1
	actx, cancel := context.WithTimeout(ctx, j.cfg.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, j.url, bytes.NewReader(body))
	if err != nil {
		return "", usage, retryAfter, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	if j.cfg.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+j.cfg.APIKey)
	}
	resp, err := j.client.Do(hreq)
	if err != nil {
		if ctx.Err() == nil && actx.Err() != nil {
			return "", usage, retryAfter, fmt.Errorf("%w after %v", ErrTimeout, j.cfg.Timeout)
		}
		return "", usage, retryAfter, j.scrub(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		if ctx.Err() == nil && actx.Err() != nil {
			return "", usage, retryAfter, fmt.Errorf("%w after %v", ErrTimeout, j.cfg.Timeout)
		}
		return "", usage, retryAfter, j.scrub(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), j.now()); ok {
			retryAfter = d
		}
		snippet := string(data)
		if len(snippet) > 512 {
			snippet = snippet[:512]
		}
		return "", usage, retryAfter, &HTTPError{StatusCode: resp.StatusCode, Body: j.scrubString(snippet)}
	}
	var cr chatResponse
	if err := jsonx.Unmarshal(data, &cr); err != nil {
		return "", usage, retryAfter, fmt.Errorf("%w: response is not chat-completions JSON: %v", ErrProtocol, err)
	}
	if len(cr.Choices) == 0 {
		return "", usage, retryAfter, fmt.Errorf("%w: response has no choices", ErrProtocol)
	}
	usage = chatUsage{prompt: cr.Usage.PromptTokens, completion: cr.Usage.CompletionTokens}
	if c := cr.Choices[0].Message.Content; c != nil {
		content = *c
	}
	return content, usage, retryAfter, nil
}

type chatUsage struct{ prompt, completion int64 }

// retryable reports whether a failed attempt may succeed when repeated.
func retryable(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.StatusCode == http.StatusTooManyRequests || he.StatusCode >= 500
	}
	if errors.Is(err, ErrProtocol) || errors.Is(err, ErrBudgetExhausted) {
		return false
	}
	return true // timeouts and transport errors
}

// parseRetryAfter reads a Retry-After header given in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		d = time.Duration(n * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, retryAfterCap), true
}

// backoff returns the delay before retry number attempt+1: exponential with
// jitter in [d/2, d), from a deterministic random source.
func (j *Judge) backoff(attempt int) time.Duration {
	d := backoffCap
	if attempt < 16 {
		d = min(backoffBase<<attempt, backoffCap)
	}
	j.rngMu.Lock()
	f := j.rng.Float64()
	j.rngMu.Unlock()
	return d/2 + time.Duration(f*float64(d/2))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scrub makes sure the API key never appears in an error.
func (j *Judge) scrub(err error) error {
	if j.cfg.APIKey == "" || !strings.Contains(err.Error(), j.cfg.APIKey) {
		return err
	}
	return errors.New(j.scrubString(err.Error()))
}

func (j *Judge) scrubString(s string) string {
	if j.cfg.APIKey == "" {
		return s
	}
	return strings.ReplaceAll(s, j.cfg.APIKey, "<API_KEY>")
}
