package conversation_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
)

// A preference record (here TRL's layout) is read as the prompt plus the
// preferred reply; the other reply is kept as metadata.
func ExampleReader_preference() {
	in := `{"prompt":[{"role":"user","content":"Name a prime below 5."}],"chosen":[{"role":"assistant","content":"3"}],"rejected":[{"role":"assistant","content":"4"}]}`
	r := conversation.NewReader(strings.NewReader(in+"\n"), "prefs.jsonl")
	defer r.Close()
	for c, err := range r.All(context.Background()) {
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, m := range c.Messages {
			fmt.Printf("%s: %s\n", m.Role, m.Content)
		}
		fmt.Println("rejected:", c.Metadata["rejected_reply"])
	}
	fmt.Println("format:", r.DetectedFormat())
	// Output:
	// user: Name a prime below 5.
	// assistant: 3
	// rejected: 4
	// format: preference
}
