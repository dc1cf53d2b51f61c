package llmjudge_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/dsatmine/dsatmine/classifier/llmjudge"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// ExampleNew configures a judge for a local OpenAI-compatible server (here a
// stand-in for vLLM, Ollama or llama.cpp) and judges one follow-up.
func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":`+
			`"{\"dsat\":true,\"sat\":false,\"categories\":[\"correction\"],\"confidence\":0.9,\"evidence\":[\"I said Python\"]}"}}],`+
			`"usage":{"prompt_tokens":812,"completion_tokens":31}}`)
	}))
	defer srv.Close()

	cfg := llmjudge.DefaultConfig(srv.URL+"/v1", "qwen2.5-7b-instruct")
	cfg.APIKey = "" // e.g. os.Getenv("DSATMINE_JUDGE_API_KEY")
	cfg.Concurrency = 8
	cfg.Timeout = 30 * time.Second
	cfg.MaxRequests = 10_000 // hard budget; then ErrBudgetExhausted
	cfg.MaxTokens = 20_000_000
	cfg.ContextTokens = 512
	cfg.CacheDir = "" // e.g. ".dsatmine-judge-cache" so reruns are free
	judge, err := llmjudge.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	c := &conversation.Conversation{ID: "demo", Messages: []conversation.Message{
		{Role: conversation.User, Content: "Write a function that reverses a string."},
		{Role: conversation.Assistant, Content: "public String rev(String s) { ... }"},
		{Role: conversation.User, Content: "No, I said Python, not Java."},
	}}
	pred, err := judge.Classify(context.Background(), heuristics.NewTurn(c, 2), nil)
	switch {
	case errors.Is(err, llmjudge.ErrBudgetExhausted), errors.Is(err, llmjudge.ErrUnverifiable):
		fmt.Println("no judge verdict:", err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Printf("%s: dsat=%.2f correction=%.2f evidence=%q\n",
		judge.Name(), pred.DSAT, pred.Categories[heuristics.Correction], pred.Evidence[0].Text)
	s := judge.Stats()
	fmt.Println("requests:", s.Requests, "tokens:", s.PromptTokens+s.CompletionTokens)
	// Output:
	// llmjudge:qwen2.5-7b-instruct: dsat=0.90 correction=0.90 evidence="I said Python"
	// requests: 1 tokens: 843
}
