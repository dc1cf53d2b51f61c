package conversation_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dsatmine/dsatmine/conversation"
)

// Split a JSON Lines log into byte ranges, for example one per process or
// per worker of a distributed run, and read each one on its own: every
// record is read by exactly one shard, with the file's line numbers.
func ExampleSplitJSONL() {
	dir, _ := os.MkdirTemp("", "shards")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "log.jsonl")
	log := `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}
{"messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"5"},{"role":"user","content":"wrong"}]}
{"messages":[{"role":"user","content":"a joke please"},{"role":"assistant","content":"knock knock"}]}
`
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		panic(err)
	}

	shards, err := conversation.SplitJSONL(path, 2)
	if err != nil {
		panic(err)
	}
	for i, sh := range shards {
		r, err := conversation.OpenShard(sh)
		if err != nil {
			panic(err)
		}
		for c, err := range r.All(context.Background()) {
			if err != nil {
				panic(err)
			}
			fmt.Printf("shard %d: line %d, %d messages\n", i, c.Location.Line, len(c.Messages))
		}
		r.Close()
	}
	// Output:
	// shard 0: line 1, 2 messages
	// shard 0: line 2, 3 messages
	// shard 1: line 3, 2 messages
}
