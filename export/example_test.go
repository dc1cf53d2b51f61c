package export_test

import (
	"fmt"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
)

// ExampleNormalizeRoles puts a logged message list into the shape chat
// templates that require alternating roles accept.
func ExampleNormalizeRoles() {
	msgs := []dsat.ChatMessage{
		{Role: "assistant", Content: "Hi! How can I help?"},
		{Role: "user", Content: "Write a haiku about rain."},
		{Role: "system", Content: "Answer in English."},
		{Role: "user", Content: "About spring rain."},
	}
	for _, m := range export.NormalizeRoles(msgs) {
		fmt.Printf("%s: %q\n", m.Role, m.Content)
	}
	// Output:
	// system: "Answer in English."
	// user: "Write a haiku about rain.\n\nAbout spring rain."
}
