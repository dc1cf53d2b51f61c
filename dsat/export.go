package dsat

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// ExportFormat names an anchor output layout.
type ExportFormat string

// Export formats.
//
//   - ExportDRIFT: the Anchor record of SPEC.md §4 (a superset of what
//     DRIFT's sampler reads).
//   - ExportTRL: TRL conversational preference,
//     {"prompt":[msgs],"chosen":[msgs],"rejected":[msgs]}; only anchors with
//     a chosen reply.
//   - ExportKTO: TRL unpaired preference,
//     {"prompt":[msgs],"completion":[assistant msg],"label":false}.
//   - ExportOpenRLHF: {"prompt":[msgs],"chosen":[msgs],"rejected":[msgs]},
//     read by OpenRLHF with --prompt_key prompt --chosen_key chosen
//     --rejected_key rejected --apply_chat_template; only anchors with a
//     chosen reply (the pairwise trainers need one).
//   - ExportLLaMAFactory: LLaMA-Factory ShareGPT ranking,
//     {"conversations":[{"from","value"}],"chosen":{"from":"gpt","value"},"rejected":{…}},
//     registered with "formatting": "sharegpt", "ranking": true. A system
//     prompt is the first conversations entry with from "system", which the
//     sharegpt converter takes as the system prompt; tool output is
//     "observation"; consecutive turns of one side are joined (as "human"
//     when any of them is the user's) so that the turns alternate as
//     LLaMA-Factory requires. Only anchors with a chosen
//     reply.
const (
	ExportDRIFT        ExportFormat = "drift"
	ExportTRL          ExportFormat = "trl"
	ExportKTO          ExportFormat = "kto"
	ExportOpenRLHF     ExportFormat = "openrlhf"
	ExportLLaMAFactory ExportFormat = "llamafactory"
)

// ExportFormats lists the export formats.
var ExportFormats = []ExportFormat{ExportDRIFT, ExportTRL, ExportKTO, ExportOpenRLHF, ExportLLaMAFactory}

// ErrNotExported is returned by an AnchorSink for an anchor that its format
// cannot represent (a pairwise format and an anchor without chosen). Run
// counts such anchors under SkipNoChosen and goes on.
var ErrNotExported = errors.New("dsat: anchor not representable in export format")

// ErrUnknownExport is returned (wrapped) by ParseExportFormat.
var ErrUnknownExport = errors.New("dsat: unknown export format")

// ParseExportFormat parses an export format name; "" means ExportDRIFT.
func ParseExportFormat(s string) (ExportFormat, error) {
	if s == "" {
		return ExportDRIFT, nil
	}
	for _, f := range ExportFormats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q (want one of drift, trl, kto, openrlhf, llamafactory)", ErrUnknownExport, s)
}

// Pairwise reports whether the format needs a chosen reply.
func (f ExportFormat) Pairwise() bool {
	return f == ExportTRL || f == ExportOpenRLHF || f == ExportLLaMAFactory
}

// EventSink receives events. EventWriter implements it.
type EventSink interface {
	WriteEvent(*Event) error
}

// AnchorSink receives anchors. AnchorWriter implements it.
type AnchorSink interface {
	WriteAnchor(*Anchor) error
}

// EventWriter writes events as JSON Lines. Wrap w in a bufio.Writer for speed.
type EventWriter struct {
	w   io.Writer
	buf []byte
}

// NewEventWriter returns an EventWriter writing to w.
func NewEventWriter(w io.Writer) *EventWriter { return &EventWriter{w: w} }

// WriteEvent writes one event line.
func (ew *EventWriter) WriteEvent(e *Event) error {
	return writeLine(ew.w, &ew.buf, e)
}

// AnchorWriter writes anchors as JSON Lines in one export format. Wrap w in
// a bufio.Writer for speed.
type AnchorWriter struct {
	w      io.Writer
	format ExportFormat
	buf    []byte
}

// NewAnchorWriter returns an AnchorWriter writing format to w.
func NewAnchorWriter(w io.Writer, format ExportFormat) *AnchorWriter {
	if format == "" {
		format = ExportDRIFT
	}
	return &AnchorWriter{w: w, format: format}
}

// WriteAnchor writes one anchor line. It returns ErrNotExported, writing
// nothing, when the format is pairwise and the anchor has no chosen reply.
func (aw *AnchorWriter) WriteAnchor(a *Anchor) error {
	rec, err := Project(a, aw.format)
	if err != nil {
		return err
	}
	return writeLine(aw.w, &aw.buf, rec)
}

// Project returns the record that represents a in format, ready to be
// encoded as JSON. It returns ErrNotExported when format is pairwise and a
// has no chosen reply, and an error wrapping ErrUnknownExport for an
// unknown format.
func Project(a *Anchor, format ExportFormat) (any, error) {
	if format.Pairwise() && len(a.Chosen) == 0 {
		return nil, ErrNotExported
	}
	switch format {
	case ExportDRIFT, "":
		return a, nil
	case ExportTRL:
		return trlRecord{Prompt: a.Prompt, Chosen: a.Chosen, Rejected: a.Rejected}, nil
	case ExportOpenRLHF:
		return openRLHFRecord{Prompt: a.Prompt, Chosen: a.Chosen, Rejected: a.Rejected}, nil
	case ExportKTO:
		return ktoRecord{Prompt: a.Prompt, Completion: a.Rejected, Label: false}, nil
	case ExportLLaMAFactory:
		return llamaFactoryRecord(a), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownExport, format)
}

type trlRecord struct {
	Prompt   []ChatMessage `json:"prompt"`
	Chosen   []ChatMessage `json:"chosen"`
	Rejected []ChatMessage `json:"rejected"`
}

type openRLHFRecord struct {
	Prompt   []ChatMessage `json:"prompt"`
	Chosen   []ChatMessage `json:"chosen"`
	Rejected []ChatMessage `json:"rejected"`
}

type ktoRecord struct {
	Prompt     []ChatMessage `json:"prompt"`
	Completion []ChatMessage `json:"completion"`
	Label      bool          `json:"label"`
}

// shareGPTTurn is one {from, value} message of LLaMA-Factory's sharegpt format.
type shareGPTTurn struct {
	From  string `json:"from"`
	Value string `json:"value"`
}

type llamaFactoryRanking struct {
	Conversations []shareGPTTurn `json:"conversations"`
	Chosen        shareGPTTurn   `json:"chosen"`
	Rejected      shareGPTTurn   `json:"rejected"`
}

// shareGPTFrom maps a role onto LLaMA-Factory's default sharegpt tags.
func shareGPTFrom(role string) string {
	switch role {
	case "system":
		return "system"
	case "assistant":
		return "gpt"
	case "tool":
		return "observation"
	default:
		return "human"
	}
}

// userSide reports whether a sharegpt tag sits at odd (human) positions.
func userSide(from string) bool { return from == "human" || from == "observation" }

func llamaFactoryRecord(a *Anchor) llamaFactoryRanking {
	var convs []shareGPTTurn
	for i, m := range a.Prompt {
		from := shareGPTFrom(m.Role)
		if from == "system" {
			if i == 0 {
				convs = append(convs, shareGPTTurn{From: from, Value: m.Content})
				continue
			}
			from = "human" // a later system message is folded into the user side
		}
		n := len(convs)
		if n > 0 && convs[n-1].From != "system" && userSide(convs[n-1].From) == userSide(from) {
			convs[n-1].Value += "\n\n" + m.Content
			if from == "human" {
				convs[n-1].From = from // a merged turn with user text is the user's
			}
			continue
		}
		if (n == 0 || convs[n-1].From == "system") && !userSide(from) {
			// The sharegpt converter requires the first turn to be the
			// user's; a leading assistant greeting is dropped.
			continue
		}
		convs = append(convs, shareGPTTurn{From: from, Value: m.Content})
	}
	return llamaFactoryRanking{
		Conversations: convs,
		Chosen:        shareGPTTurn{From: "gpt", Value: joinContent(a.Chosen)},
		Rejected:      shareGPTTurn{From: "gpt", Value: joinContent(a.Rejected)},
	}
}

func joinContent(ms []ChatMessage) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.Content
	}
	return strings.Join(parts, "\n\n")
}

func writeLine(w io.Writer, buf *[]byte, v any) error {
	b, err := jsonx.Marshal(v)
	if err != nil {
		return err
	}
	*buf = append(append((*buf)[:0], b...), '\n')
	_, err = w.Write(*buf)
	return err
}
