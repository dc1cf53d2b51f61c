// Package llmjudge is an optional classifier.Classifier that asks a large
// language model, through any OpenAI-compatible chat-completions endpoint
// (OpenAI, vLLM, Ollama, llama.cpp server), whether a follow-up expresses
// dissatisfaction with the assistant reply before it.
//
// The judge sends only the judged reply, the request it answered and the
// follow-up, each cut to Config.ContextTokens cl100k_base tokens, with a
// versioned rubric (see Rubric) that states the DSAT taxonomy of docs/taxonomy.md
// and asks for strict JSON:
//
//	{"dsat":bool,"sat":bool,"categories":[...],"confidence":0..1,"evidence":["quote from the follow-up"]}
//
// Its answers are checked, never trusted:
//
//   - Evidence must be quoted verbatim (up to white space) from the follow-up,
//     and a DSAT verdict must quote something; otherwise Classify returns
//     ErrUnverifiable and the verdict is dropped.
//   - Output that is not a valid verdict gets one repair request; if that
//     fails too, Classify returns ErrMalformed. There is no silent default.
//
// Cost is bounded: a concurrency limit, retries with exponential backoff and
// jitter on 429 and 5xx that honour Retry-After, a per-request timeout, and
// hard budgets in requests and tokens after which Classify returns
// ErrBudgetExhausted without sending anything. With Config.CacheDir set,
// verdicts are stored in a content-addressed cache keyed by the rubric
// version, the model and the exact request body, so reruns and resumed jobs
// do not pay twice.
//
// Before any text leaves the process, e-mail addresses, phone numbers, API
// keys and tokens are replaced with placeholders such as <EMAIL> (unless
// Config.NoRedact is set); Stats counts them by kind. Evidence spans are
// mapped back to the original follow-up.
//
// Every error leaves the turn without a judge verdict; callers count them
// with errors.Is and go on. Stats reports requests, tokens, retries, cache
// hits and failures for the run statistics.
package llmjudge
