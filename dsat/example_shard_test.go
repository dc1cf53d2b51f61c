package dsat_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
)

// Mine a JSON Lines log in byte-range shards, as the processes or workers
// of a distributed run would, and merge their statistics. Each shard writes
// its own anchors; dedup only spans a shard.
func ExampleMiner_RunShard() {
	dir, err := os.MkdirTemp("", "shards")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "logs.jsonl")
	logs := `{"id":"a","messages":[{"role":"user","content":"Translate 'good morning' to French."},{"role":"assistant","content":"Buenos días."},{"role":"user","content":"That's Spanish, not French. Try again."}]}
{"id":"b","messages":[{"role":"user","content":"What is 2+2?"},{"role":"assistant","content":"4"}]}
{"id":"c","messages":[{"role":"user","content":"Name a prime number."},{"role":"assistant","content":"Nine."},{"role":"user","content":"Nine is not prime, that's wrong."}]}
`
	if err := os.WriteFile(path, []byte(logs), 0o644); err != nil {
		log.Fatal(err)
	}

	m, err := dsat.NewMiner(dsat.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	shards, err := conversation.SplitJSONL(path, 2)
	if err != nil {
		log.Fatal(err)
	}
	total := m.NewStats()
	for i, sh := range shards {
		st, err := m.RunShard(context.Background(), sh, func(r *conversation.Reader) { r.Strict = true }, dsat.Sinks{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("shard %d: %d conversations, %d anchors\n", i, st.Conversations, st.Anchors)
		total.Merge(st)
	}
	fmt.Printf("total: %d records, %d conversations, %d anchors\n", total.Records, total.Conversations, total.Anchors)
	// Output:
	// shard 0: 2 conversations, 1 anchors
	// shard 1: 1 conversations, 1 anchors
	// total: 3 records, 3 conversations, 2 anchors
}
