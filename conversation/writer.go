package conversation

import (
	"bufio"
	"io"
	"time"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Writer writes conversations as normalised JSON Lines: the OpenAI messages
// form plus id, source, model, language, timestamp and metadata, one
// conversation per line. Metadata keys are written in sorted order, so the
// output is deterministic. The output can be read back with a Reader (format
// openai). Call Flush when done.
type Writer struct {
	w   *bufio.Writer
	enc *jsonx.Encoder
	rec normRecord
}

type normRecord struct {
	ID        string         `json:"id"`
	Source    string         `json:"source"`
	Model     string         `json:"model,omitempty"`
	Language  string         `json:"language,omitempty"`
	Timestamp string         `json:"timestamp,omitempty"`
	Metadata  map[string]any `json:"metadata,omitempty"`
	Messages  []normMessage  `json:"messages"`
}

type normMessage struct {
	Role       Role             `json:"role"`
	Content    string           `json:"content"`
	Name       string           `json:"name,omitempty"`
	ToolCalls  jsonx.RawMessage `json:"tool_calls,omitempty"`
	ToolCallID string           `json:"tool_call_id,omitempty"`
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &Writer{w: bw, enc: jsonx.NewEncoder(bw)}
}

// Write writes one conversation as a line of JSON.
func (w *Writer) Write(c *Conversation) error {
	rec := &w.rec
	*rec = normRecord{
		ID: c.ID, Source: c.Source, Model: c.Model, Language: c.Language,
		Metadata: c.Metadata, Messages: rec.Messages[:0],
	}
	if !c.Timestamp.IsZero() {
		rec.Timestamp = c.Timestamp.Format(time.RFC3339Nano)
	}
	for _, m := range c.Messages {
		rec.Messages = append(rec.Messages, normMessage{Role: m.Role, Content: m.Content, Name: m.Name,
			ToolCalls: jsonx.RawMessage(m.ToolCalls), ToolCallID: m.ToolCallID})
	}
	// The encoder writes the record and a newline; it does not escape HTML,
	// so text from logs stays readable.
	err := w.enc.Encode(rec)
	clear(rec.Messages)
	return err
}

// Flush writes any buffered data to the underlying io.Writer.
func (w *Writer) Flush() error { return w.w.Flush() }
