package export

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Format names an anchor output layout.
type Format string

// Export formats.
//
//   - FormatDRIFT: the Anchor record itself (a superset of what DRIFT's
//     sampler reads).
//   - FormatTRL: TRL conversational preference,
//     {"prompt":[msgs],"chosen":[msgs],"rejected":[msgs]}; only anchors with
//     a chosen reply. TRL's DPO trainer reads it as it is (the prompt ends
//     with a user or tool message, so it adds the generation prompt).
//   - FormatKTO: TRL unpaired preference,
//     {"prompt":[msgs],"completion":[assistant msg],"label":bool}: every
//     anchor's rejected reply with label false and, when the miner collects
//     them (Config.Desirable), every SAT-confirmed reply with label true.
//   - FormatOpenRLHF: {"prompt":[msgs],"chosen":[msgs],"rejected":[msgs]};
//     OpenRLHF (v0.10.2 and later, whose options carry a "data." prefix)
//     reads it with --data.prompt_key prompt --data.chosen_key chosen
//     --data.rejected_key rejected --data.apply_chat_template; both of the
//     first and the last are needed for message lists. Only anchors with a
//     chosen reply (the pairwise trainers need one).
//   - FormatLLaMAFactory: LLaMA-Factory ShareGPT ranking,
//     {"conversations":[{"from","value"}],"chosen":{"from":"gpt","value"},"rejected":{…}},
//     registered in dataset_info.json with "formatting": "sharegpt",
//     "ranking": true and "columns": {"messages": "conversations",
//     "chosen": "chosen", "rejected": "rejected"} (without the columns
//     mapping every row fails). A system prompt is the first conversations
//     entry with from "system"; an assistant message that calls tools is a
//     "function_call" turn whose value is {"name","arguments"} (a list for
//     several calls; any text beside the calls is left out) and tool output
//     is "observation"; consecutive turns of one side are joined (as "human"
//     when any of them is the user's) so that the turns alternate as
//     LLaMA-Factory requires. Only anchors with a chosen reply.
//
// The message lists of every layout but drift are role-normalised unless
// AnchorWriter.KeepRoles is set (see NormalizeRoles), so that chat templates
// that require alternating roles render them.
const (
	FormatDRIFT        Format = "drift"
	FormatTRL          Format = "trl"
	FormatKTO          Format = "kto"
	FormatOpenRLHF     Format = "openrlhf"
	FormatLLaMAFactory Format = "llamafactory"
)

// Formats lists the export formats.
var Formats = []Format{FormatDRIFT, FormatTRL, FormatKTO, FormatOpenRLHF, FormatLLaMAFactory}

// ErrUnknownFormat is returned (wrapped) by ParseFormat.
var ErrUnknownFormat = errors.New("export: unknown format")

// ParseFormat parses an export format name; "" means FormatDRIFT.
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return FormatDRIFT, nil
	}
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q (want one of drift, trl, kto, openrlhf, llamafactory)", ErrUnknownFormat, s)
}

// Pairwise reports whether the format needs a chosen reply.
func (f Format) Pairwise() bool {
	return f == FormatTRL || f == FormatOpenRLHF || f == FormatLLaMAFactory
}

// EventWriter writes events as JSON Lines. Wrap w in a bufio.Writer for speed.
type EventWriter struct {
	w   io.Writer
	buf []byte
}

// NewEventWriter returns an EventWriter writing to w.
func NewEventWriter(w io.Writer) *EventWriter { return &EventWriter{w: w} }

// WriteEvent writes one event line.
func (ew *EventWriter) WriteEvent(e *dsat.Event) error {
	return writeLine(ew.w, &ew.buf, e)
}

// AnchorWriter writes anchors as JSON Lines in one export format. Wrap w in
// a bufio.Writer for speed.
type AnchorWriter struct {
	// KeepRoles writes message lists as logged instead of role-normalised
	// (NormalizeRoles). LLaMA-Factory's layout still joins consecutive turns
	// of one side, which its format requires.
	KeepRoles bool
	w         io.Writer
	format    Format
	buf       []byte
	counts    dsat.ExportStats
	// KeepDesirable makes a drift writer keep desirable records (the part
	// files of a resumable run, merged into the final export later).
	KeepDesirable bool
}

// ExportStats returns the writer's counts so far.
func (aw *AnchorWriter) ExportStats() dsat.ExportStats {
	c := aw.counts
	c.Format = string(aw.format)
	return c
}

// NewAnchorWriter returns an AnchorWriter writing format to w.
func NewAnchorWriter(w io.Writer, format Format) *AnchorWriter {
	if format == "" {
		format = FormatDRIFT
	}
	return &AnchorWriter{w: w, format: format}
}

// WriteAnchor writes one anchor line. It returns ErrNotExported, writing
// nothing, when the format is pairwise and the anchor has no chosen reply,
// or when a is a desirable record (see WriteDesirable).
func (aw *AnchorWriter) WriteAnchor(a *dsat.Anchor) error {
	if a.Desirable {
		return aw.WriteDesirable(a)
	}
	rec, edits, err := project(a, aw.format, aw.KeepRoles)
	if err != nil {
		return err
	}
	if err := writeLine(aw.w, &aw.buf, rec); err != nil {
		return err
	}
	addEdits(&aw.counts, edits)
	if aw.format == FormatKTO {
		aw.counts.Undesirable++
	}
	return nil
}

// WriteDesirable writes a SAT-confirmed reply (Result.Desirable) as a kto
// row with label true. Other formats return ErrNotExported.
func (aw *AnchorWriter) WriteDesirable(a *dsat.Anchor) error {
	switch {
	case aw.format == FormatDRIFT && aw.KeepDesirable:
		return writeLine(aw.w, &aw.buf, a)
	case aw.format != FormatKTO || len(a.Chosen) == 0:
		return dsat.ErrNotExported
	}
	prompt, edits := a.Prompt, roleEdits{}
	completion := a.Chosen
	if !aw.KeepRoles {
		prompt, edits = normalizeRoles(a.Prompt)
		completion = mergeReply(a.Chosen)
	}
	if err := writeLine(aw.w, &aw.buf, ktoRecord{Prompt: prompt, Completion: completion, Label: true}); err != nil {
		return err
	}
	addEdits(&aw.counts, edits)
	aw.counts.Desirable++
	return nil
}

// addEdits counts one record's role edits in e.
func addEdits(e *dsat.ExportStats, r roleEdits) {
	if r == (roleEdits{}) {
		return
	}
	e.Normalised++
	e.Merged += int64(r.merged)
	e.DroppedLeading += int64(r.dropped)
	e.SystemMoved += int64(r.system)
}

// Project returns the record that represents a in format, ready to be
// encoded as JSON, with role-normalised message lists (NormalizeRoles) in
// every format but drift. It returns ErrNotExported when format is pairwise
// and a has no chosen reply, and an error wrapping ErrUnknownFormat for an
// unknown format.
func Project(a *dsat.Anchor, format Format) (any, error) {
	rec, _, err := project(a, format, false)
	return rec, err
}

func project(a *dsat.Anchor, format Format, keepRoles bool) (any, roleEdits, error) {
	if format.Pairwise() && len(a.Chosen) == 0 {
		return nil, roleEdits{}, dsat.ErrNotExported
	}
	if format == FormatDRIFT || format == "" {
		return a, roleEdits{}, nil
	}
	prompt, chosen, rejected := a.Prompt, a.Chosen, a.Rejected
	var edits roleEdits
	if !keepRoles {
		prompt, edits = normalizeRoles(a.Prompt)
		chosen, rejected = mergeReply(a.Chosen), mergeReply(a.Rejected)
	}
	switch format {
	case FormatTRL:
		return trlRecord{Prompt: prompt, Chosen: chosen, Rejected: rejected}, edits, nil
	case FormatOpenRLHF:
		return openRLHFRecord{Prompt: prompt, Chosen: chosen, Rejected: rejected}, edits, nil
	case FormatKTO:
		return ktoRecord{Prompt: prompt, Completion: rejected, Label: false}, edits, nil
	case FormatLLaMAFactory:
		return llamaFactoryRecord(prompt, chosen, rejected), edits, nil
	}
	return nil, roleEdits{}, fmt.Errorf("%w %q", ErrUnknownFormat, format)
}

type trlRecord struct {
	Prompt   []dsat.ChatMessage `json:"prompt"`
	Chosen   []dsat.ChatMessage `json:"chosen"`
	Rejected []dsat.ChatMessage `json:"rejected"`
}

type openRLHFRecord struct {
	Prompt   []dsat.ChatMessage `json:"prompt"`
	Chosen   []dsat.ChatMessage `json:"chosen"`
	Rejected []dsat.ChatMessage `json:"rejected"`
}

type ktoRecord struct {
	Prompt     []dsat.ChatMessage `json:"prompt"`
	Completion []dsat.ChatMessage `json:"completion"`
	Label      bool               `json:"label"`
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

// shareGPTFrom maps a message onto LLaMA-Factory's default sharegpt tags.
func shareGPTFrom(m dsat.ChatMessage) string {
	switch m.Role {
	case "system":
		return "system"
	case "assistant":
		if isToolCalls(m.ToolCalls) {
			return "function_call"
		}
		return "gpt"
	case "tool":
		return "observation"
	default:
		return "human"
	}
}

// userSide reports whether a sharegpt tag sits at odd (human) positions.
func userSide(from string) bool { return from == "human" || from == "observation" }

// shareGPTValue is the value of a message's sharegpt turn: its text, or for
// a function_call turn the calls as LLaMA-Factory writes them,
// {"name","arguments"} (a list for several calls), with arguments decoded
// when they are a JSON-encoded string.
func shareGPTValue(m dsat.ChatMessage, from string) string {
	if from != "function_call" {
		return m.Content
	}
	var calls []struct {
		Function struct {
			Name      string           `json:"name"`
			Arguments jsonx.RawMessage `json:"arguments"`
		} `json:"function"`
	}
	if jsonx.Unmarshal(m.ToolCalls, &calls) != nil {
		return string(m.ToolCalls)
	}
	type lfCall struct {
		Name      string           `json:"name"`
		Arguments jsonx.RawMessage `json:"arguments"`
	}
	out := make([]lfCall, len(calls))
	for i, c := range calls {
		args := c.Function.Arguments
		var str string
		if jsonx.Unmarshal(args, &str) == nil && jsonx.Valid([]byte(str)) {
			args = jsonx.RawMessage(str)
		}
		if len(args) == 0 {
			args = jsonx.RawMessage("{}")
		}
		out[i] = lfCall{Name: c.Function.Name, Arguments: args}
	}
	var v any = out
	if len(out) == 1 {
		v = out[0]
	}
	b, err := jsonx.Marshal(v)
	if err != nil {
		return string(m.ToolCalls)
	}
	return string(b)
}

func llamaFactoryRecord(prompt, chosen, rejected []dsat.ChatMessage) llamaFactoryRanking {
	var convs []shareGPTTurn
	for i, m := range prompt {
		from := shareGPTFrom(m)
		value := shareGPTValue(m, from)
		if from == "system" {
			if i == 0 {
				convs = append(convs, shareGPTTurn{From: from, Value: value})
				continue
			}
			from = "human" // a later system message is folded into the user side
		}
		n := len(convs)
		if n > 0 && convs[n-1].From != "system" && userSide(convs[n-1].From) == userSide(from) {
			switch {
			case convs[n-1].From == "function_call" || from == "function_call":
				// A call turn holds only calls: the last one stands.
				convs[n-1] = shareGPTTurn{From: from, Value: value}
			default:
				convs[n-1].Value = joinText(convs[n-1].Value, value)
				if from == "human" {
					convs[n-1].From = from // a merged turn with user text is the user's
				}
			}
			continue
		}
		if (n == 0 || convs[n-1].From == "system") && !userSide(from) {
			// The sharegpt converter requires the first turn to be the
			// user's; a leading assistant greeting is dropped.
			continue
		}
		if (n == 0 || convs[n-1].From == "system") && from == "observation" {
			from = "human" // a leading orphan tool output reads as user text
		}
		convs = append(convs, shareGPTTurn{From: from, Value: value})
	}
	return llamaFactoryRanking{
		Conversations: convs,
		Chosen:        replyTurn(chosen),
		Rejected:      replyTurn(rejected),
	}
}

// replyTurn is the sharegpt turn of a chosen or rejected reply.
func replyTurn(ms []dsat.ChatMessage) shareGPTTurn {
	m := mergeReply(ms)
	if len(m) == 0 {
		return shareGPTTurn{From: "gpt"}
	}
	from := shareGPTFrom(m[0])
	return shareGPTTurn{From: from, Value: shareGPTValue(m[0], from)}
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
