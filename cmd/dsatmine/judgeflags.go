package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/classifier/llmjudge"
)

// defaultJudgeKeyEnv names the environment variable that holds the judge's
// API key unless --judge-api-key-env says otherwise. The key itself is never
// a flag, so it does not end up in shell history, logs or run metadata.
const defaultJudgeKeyEnv = "DSATMINE_JUDGE_API_KEY"

// judgeFlags holds the --judge-* flags shared by mine and eval.
type judgeFlags struct {
	endpoint       string
	model          string
	apiKeyEnv      string
	budgetRequests int64
	budgetTokens   int64
	concurrency    int
	cacheDir       string
	noRedact       bool
	timeout        time.Duration
	contextTokens  int
}

// addJudgeFlags registers the LLM-judge flags on cmd.
func addJudgeFlags(cmd *cobra.Command) *judgeFlags {
	f := &judgeFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.endpoint, "judge-endpoint", "", "OpenAI-compatible base URL of an LLM judge, e.g. http://localhost:8000/v1 (off when empty)")
	fs.StringVar(&f.model, "judge-model", "", "model name sent to the judge endpoint")
	fs.StringVar(&f.apiKeyEnv, "judge-api-key-env", defaultJudgeKeyEnv, "environment variable holding the judge API key (sent as a Bearer token; may be unset for local servers)")
	fs.Int64Var(&f.budgetRequests, "judge-budget-requests", 0, "stop calling the judge after this many HTTP requests (0 = unlimited)")
	fs.Int64Var(&f.budgetTokens, "judge-budget-tokens", 0, "stop calling the judge after this many prompt+completion tokens (0 = unlimited)")
	fs.IntVar(&f.concurrency, "judge-concurrency", llmjudge.DefaultConcurrency, "judge requests in flight at most")
	fs.StringVar(&f.cacheDir, "judge-cache", "", "directory of the on-disk verdict cache (none when empty)")
	fs.BoolVar(&f.noRedact, "judge-no-redact", false, "send text to the judge without replacing e-mail addresses, phone numbers and keys")
	fs.DurationVar(&f.timeout, "judge-timeout", llmjudge.DefaultTimeout, "timeout of one judge request")
	fs.IntVar(&f.contextTokens, "judge-context-tokens", llmjudge.DefaultContextTokens, "tokens of the request, the reply and the follow-up each sent to the judge (-1 = all)")
	return f
}

// build returns the judge configured by the flags, both as a classifier and
// as a *llmjudge.Judge (for its Stats). It returns nils when no endpoint was
// given.
func (f *judgeFlags) build() (classifier.Classifier, *llmjudge.Judge, error) {
	if f == nil || f.endpoint == "" {
		return nil, nil, nil
	}
	if f.model == "" {
		return nil, nil, errors.New("--judge-model is required with --judge-endpoint")
	}
	switch {
	case f.budgetRequests < 0:
		return nil, nil, errors.New("--judge-budget-requests must not be negative")
	case f.budgetTokens < 0:
		return nil, nil, errors.New("--judge-budget-tokens must not be negative")
	case f.concurrency < 1:
		return nil, nil, errors.New("--judge-concurrency must be at least 1")
	case f.timeout <= 0:
		return nil, nil, errors.New("--judge-timeout must be positive")
	case f.contextTokens == 0 || f.contextTokens < -1:
		return nil, nil, errors.New("--judge-context-tokens must be positive or -1")
	}
	cfg := llmjudge.Config{
		Endpoint:      f.endpoint,
		Model:         f.model,
		Concurrency:   f.concurrency,
		Timeout:       f.timeout,
		MaxRequests:   f.budgetRequests,
		MaxTokens:     f.budgetTokens,
		ContextTokens: f.contextTokens,
		CacheDir:      f.cacheDir,
		NoRedact:      f.noRedact,
	}
	if f.apiKeyEnv != "" {
		cfg.APIKey = os.Getenv(f.apiKeyEnv)
	}
	j, err := llmjudge.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("judge: %w", err)
	}
	return j, j, nil
}
