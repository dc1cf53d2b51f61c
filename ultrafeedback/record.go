package ultrafeedback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Format names the UltraFeedback layout: one instruction with several model
// completions rated by an AI annotator. It is not a chat-log format
// (conversation.Reader does not read it, and conversation.ParseFormat does
// not accept it): UltraFeedback records are read with Reader, and
// conversation.ReadStats.Formats counts them under this name.
const Format conversation.Format = "ultrafeedback"

// Errors of malformed UltraFeedback records, wrapped by
// *conversation.ParseError.
var (
	// ErrMissingField reports a record without its instruction, without its
	// completions, or a completion without its response.
	ErrMissingField = errors.New("missing field")
	// ErrTooFewCompletions reports a record with fewer than two completions.
	ErrTooFewCompletions = errors.New("too few completions")
	// ErrMissingRating reports a completion that carries no rating, or none of
	// the kind a consumer ranks by.
	ErrMissingRating = errors.New("missing rating")
	// ErrInvalidRating reports a rating that is neither a number on its scale
	// nor "N/A".
	ErrInvalidRating = errors.New("invalid rating")
)

// conversation.ParseError reasons of malformed UltraFeedback records.
const (
	ReasonMissingField       = "missing_field"
	ReasonTooFewCompletions  = "too_few_completions"
	ReasonMissingRating      = "missing_rating"
	ReasonInvalidRating      = "invalid_rating"
	ultraFeedbackMinComplete = 2
)

// Aspect is one of the four rated aspects of an UltraFeedback completion.
type Aspect string

// The rated aspects, each on a 1–5 scale.
const (
	InstructionFollowing Aspect = "instruction_following"
	Truthfulness         Aspect = "truthfulness"
	Honesty              Aspect = "honesty"
	Helpfulness          Aspect = "helpfulness"
)

// Aspects lists the rated aspects in a fixed order.
var Aspects = []Aspect{InstructionFollowing, Truthfulness, Honesty, Helpfulness}

// Rating scales of UltraFeedback. Ratings outside their scale are invalid.
const (
	AspectMin  = 1.0  // lowest aspect rating (and fine-grained score)
	AspectMax  = 5.0  // highest aspect rating (and fine-grained score)
	OverallMin = 1.0  // lowest overall score
	OverallMax = 10.0 // highest overall score
)

// Score is one rating as read. A rating is either a number (Valid), an
// explicit "N/A" (NA: the annotator judged the aspect not applicable, as
// UltraFeedback does for some honesty and truthfulness ratings), or absent
// (neither).
type Score struct {
	Value float64
	Valid bool
	NA    bool
}

// Missing reports whether the rating is absent (neither a number nor N/A).
func (s Score) Missing() bool { return !s.Valid && !s.NA }

// String returns the value, "N/A" or "missing".
func (s Score) String() string {
	switch {
	case s.Valid:
		return strconv.FormatFloat(s.Value, 'g', -1, 64)
	case s.NA:
		return "N/A"
	}
	return "missing"
}

// Annotation is the annotator's judgement of one aspect of a completion.
type Annotation struct {
	Rating    Score
	Rationale string
	// RationaleForRating and Type are carried by the helpfulness and
	// truthfulness annotations ("Rationale For Rating", "Type").
	RationaleForRating string
	Type               []string
}

// Completion is one rated model response of an UltraFeedback record.
type Completion struct {
	Model              string
	Principle          string
	CustomSystemPrompt string
	Response           string
	// Annotations holds the aspect ratings present in the record, keyed by
	// aspect (other keys of the record's annotations are kept as well).
	Annotations      map[Aspect]Annotation
	FineGrainedScore Score // "fine-grained_score", 1–5
	OverallScore     Score // "overall_score", 1–10
	Critique         string
}

// FineGrained returns the completion's fine-grained score: the record's
// "fine-grained_score" when present, otherwise the mean of its numeric aspect
// ratings (N/A ratings left out). It is N/A when every aspect rating is N/A
// and missing when there is neither a score nor any aspect rating.
func (c *Completion) FineGrained() Score {
	if !c.FineGrainedScore.Missing() {
		return c.FineGrainedScore
	}
	var sum float64
	n, na := 0, false
	for _, a := range Aspects {
		r := c.Annotations[a].Rating
		switch {
		case r.Valid:
			sum += r.Value
			n++
		case r.NA:
			na = true
		}
	}
	if n > 0 {
		return Score{Value: sum / float64(n), Valid: true}
	}
	return Score{NA: na}
}

// AspectRating returns the rating of one aspect (missing when the record has
// no annotation for it).
func (c *Completion) AspectRating(a Aspect) Score { return c.Annotations[a].Rating }

// Record is one UltraFeedback record: an instruction and the rated
// completions of several models.
type Record struct {
	// ID is the record's "id" or "prompt_id" when it has one; otherwise it is
	// derived from the record's content ("uf-" and 16 hex digits of a SHA-256
	// over source, instruction, and each completion's model and response), so
	// that it is stable across reruns and reorderings of the input.
	ID          string
	Source      string // the dataset the instruction was taken from, e.g. "evol_instruct"
	Instruction string
	Models      []string
	Completions []Completion
	// CorrectAnswers and IncorrectAnswers are the reference answers some
	// sources (such as TruthfulQA) carry.
	CorrectAnswers   []string
	IncorrectAnswers []string
	// Location is where the record came from (file and line or row).
	Location conversation.Location
}

// Reader reads UltraFeedback records from a stream. It uses the containers
// of conversation.Reader (JSON Lines, a JSON array or Parquet, optionally
// gzip- or zstd-compressed, sniffed by magic bytes; see
// conversation.RecordReader) and reports bad records as
// *conversation.ParseError with file, line or row and a reason: besides the
// container and JSON reasons of conversation.Reader, "missing_field" (no
// instruction, no completions, a completion without response),
// "too_few_completions" (fewer than two), "missing_rating" (a completion with
// no rating at all) and "invalid_rating" (a rating that is not a number on
// its scale or "N/A"). A record without both instruction and completions is
// "unknown_format".
//
// Ratings may be JSON numbers or strings holding numbers, as UltraFeedback
// writes them ("4"). "N/A" (also "NA", any case) is read as Score.NA: it is
// a rating, not an error; consumers leave such completions out of rankings
// by that rating. Aspect ratings and the fine-grained score must lie in
// [1, 5], the overall score in [1, 10].
//
// conversation.Reader reads conversations, not these records: given an
// UltraFeedback file it skips every record as "unknown_format". Use Detect to
// choose between the two readers.
type Reader struct {
	// Strict makes Next return a *conversation.ParseError for the first bad
	// record. By default (lenient) bad records are skipped and counted by
	// reason.
	Strict bool
	// MaxRecordSize is the maximum size of one record in bytes; 0 means
	// conversation.DefaultMaxRecordSize.
	MaxRecordSize int
	// OnSkip, if set, is called for every record skipped in lenient mode.
	OnSkip func(*conversation.ParseError)

	rr      *conversation.RecordReader
	started bool
}

// NewReader returns a Reader over r. name is used in errors and
// Location.File.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{rr: conversation.NewRecordReader(r, name)}
}

// Open opens the file at path ("-" for standard input). The caller must call
// Close.
func Open(path string) (*Reader, error) {
	rr, err := conversation.OpenRecords(path)
	if err != nil {
		return nil, err
	}
	return &Reader{rr: rr}, nil
}

// Close releases the reader's resources and the file opened by Open. It does
// not close an io.Reader given to NewReader.
func (r *Reader) Close() error { return r.rr.Close() }

// Stats returns the counts so far: Records (good and bad), Conversations (the
// records returned), Messages (their instructions and completions), Skipped
// and Formats (under "ultrafeedback"). FollowUps and EmptyMessages stay 0.
func (r *Reader) Stats() conversation.ReadStats { return r.rr.Stats() }

// All returns an iterator over the remaining records. It stops at the end of
// input; a non-EOF error is yielded once, after which iteration stops.
func (r *Reader) All(ctx context.Context) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for {
			v, err := r.Next(ctx)
			if err == io.EOF {
				return
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// Next returns the next record, or io.EOF at the end of input. In strict mode
// a bad record gives a *conversation.ParseError (and Next may be called again
// to continue after it); in lenient mode bad records are skipped and counted
// in Stats. Other errors (I/O, cancellation) are returned as they are.
func (r *Reader) Next(ctx context.Context) (*Record, error) {
	if !r.started {
		r.started = true
		r.rr.Strict, r.rr.MaxRecordSize, r.rr.OnSkip = r.Strict, r.MaxRecordSize, r.OnSkip
	}
	for {
		raw, loc, err := r.rr.Next(ctx)
		if err != nil {
			return nil, err
		}
		uf, err := parseRecord(raw, loc)
		if err != nil {
			if perr := r.rr.Skip(toParseError(loc, err)); perr != nil {
				return nil, perr
			}
			continue
		}
		r.rr.Keep(Format, int64(1+len(uf.Completions)))
		return uf, nil
	}
}

// Detect reports whether the file at path holds UltraFeedback records,
// judged by its first record (any container and compression): true when that
// record has both "instruction" and "completions". It reads only as far as
// the first record. Standard input cannot be sniffed without consuming it, so
// path "-" is an error.
func Detect(path string) (bool, error) {
	if path == "-" {
		return false, errors.New("ultrafeedback: cannot sniff standard input for UltraFeedback; name the format")
	}
	rr, err := conversation.OpenRecords(path)
	if err != nil {
		return false, err
	}
	defer rr.Close()
	// Lenient, so that invalid UTF-8 is repaired as a reader would; a first
	// record the container cannot deliver (other than an oversized one, which
	// is passed over) decides "no".
	bad := false
	rr.OnSkip = func(pe *conversation.ParseError) {
		bad = bad || pe.Reason != conversation.ReasonRecordTooLarge
	}
	raw, _, err := rr.Next(context.Background())
	if err == io.EOF || bad {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var keys map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(raw, &keys); err != nil {
		return false, nil
	}
	_, inst := keys["instruction"]
	_, comp := keys["completions"]
	return inst && comp, nil
}

// reasonError is an error that knows its conversation.ParseError reason.
type reasonError struct {
	reason string
	err    error
}

func (e *reasonError) Error() string { return e.err.Error() }
func (e *reasonError) Unwrap() error { return e.err }

// errorf returns an error carrying reason whose message is formatted and
// which wraps sentinel.
func errorf(reason string, sentinel error, format string, args ...any) error {
	return &reasonError{reason: reason, err: fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)}
}

// wrongType returns a wrong_type error.
func wrongType(format string, args ...any) error {
	return errorf(conversation.ReasonWrongType, conversation.ErrWrongType, format, args...)
}

// toParseError turns err, returned while parsing the record at loc, into a
// *conversation.ParseError with the most specific reason it can find.
func toParseError(loc conversation.Location, err error) *conversation.ParseError {
	var re *reasonError
	if errors.As(err, &re) {
		return conversation.NewParseError(loc, re.reason, re.err)
	}
	return conversation.AsParseError(loc, err)
}

// ufRecord is the JSON shape of an UltraFeedback record.
type ufRecord struct {
	ID               jsonx.RawMessage `json:"id"`
	PromptID         jsonx.RawMessage `json:"prompt_id"`
	Source           jsonx.RawMessage `json:"source"`
	Instruction      jsonx.RawMessage `json:"instruction"`
	Models           jsonx.RawMessage `json:"models"`
	Completions      jsonx.RawMessage `json:"completions"`
	CorrectAnswers   jsonx.RawMessage `json:"correct_answers"`
	IncorrectAnswers jsonx.RawMessage `json:"incorrect_answers"`
}

type ufCompletion struct {
	Model              jsonx.RawMessage            `json:"model"`
	Principle          jsonx.RawMessage            `json:"principle"`
	CustomSystemPrompt jsonx.RawMessage            `json:"custom_system_prompt"`
	Response           jsonx.RawMessage            `json:"response"`
	Annotations        map[string]jsonx.RawMessage `json:"annotations"`
	FineGrained        jsonx.RawMessage            `json:"fine-grained_score"`
	Overall            jsonx.RawMessage            `json:"overall_score"`
	Critique           jsonx.RawMessage            `json:"critique"`
}

type ufAnnotation struct {
	Rating             jsonx.RawMessage `json:"Rating"`
	Rationale          jsonx.RawMessage `json:"Rationale"`
	RationaleForRating jsonx.RawMessage `json:"Rationale For Rating"`
	Type               jsonx.RawMessage `json:"Type"`
}

// parseRecord decodes and validates one record.
func parseRecord(raw []byte, loc conversation.Location) (*Record, error) {
	var rec ufRecord
	if err := conversation.DecodeRecord(raw, &rec); err != nil {
		return nil, err
	}
	if len(rec.Instruction) == 0 && len(rec.Completions) == 0 {
		return nil, errorf(conversation.ReasonUnknownFormat, conversation.ErrUnknownFormat,
			"not an UltraFeedback record: no instruction and completions fields")
	}
	uf := &Record{Location: loc}
	var err error
	if uf.Instruction, err = jsonString(rec.Instruction, "instruction"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(uf.Instruction) == "" {
		return nil, errorf(ReasonMissingField, ErrMissingField, "instruction is missing or empty")
	}
	if uf.Source, err = jsonString(rec.Source, "source"); err != nil {
		return nil, err
	}
	if uf.Models, err = jsonStrings(rec.Models, "models"); err != nil {
		return nil, err
	}
	if uf.CorrectAnswers, err = jsonStrings(rec.CorrectAnswers, "correct_answers"); err != nil {
		return nil, err
	}
	if uf.IncorrectAnswers, err = jsonStrings(rec.IncorrectAnswers, "incorrect_answers"); err != nil {
		return nil, err
	}
	if isNull(rec.Completions) {
		return nil, errorf(ReasonMissingField, ErrMissingField, "completions is missing")
	}
	var comps []jsonx.RawMessage
	if err := jsonx.Unmarshal(rec.Completions, &comps); err != nil {
		return nil, wrongType("completions is not an array")
	}
	if len(comps) < ultraFeedbackMinComplete {
		return nil, errorf(ReasonTooFewCompletions, ErrTooFewCompletions,
			"%d completion(s); ranking needs at least %d", len(comps), ultraFeedbackMinComplete)
	}
	uf.Completions = make([]Completion, len(comps))
	for i, cr := range comps {
		if err := parseCompletion(cr, &uf.Completions[i]); err != nil {
			return nil, inCompletion(i, err)
		}
	}
	if uf.ID, err = recordID(rec); err != nil {
		return nil, err
	}
	if uf.ID == "" {
		uf.ID = deriveID(uf)
	}
	return uf, nil
}

func parseCompletion(raw jsonx.RawMessage, c *Completion) error {
	if isNull(raw) {
		return wrongType("is null, not an object")
	}
	var cr ufCompletion
	if err := jsonx.Unmarshal(raw, &cr); err != nil {
		return wrongType("is not an object with the UltraFeedback completion fields: %v", err)
	}
	var err error
	if c.Model, err = jsonString(cr.Model, "model"); err != nil {
		return err
	}
	if c.Principle, err = jsonString(cr.Principle, "principle"); err != nil {
		return err
	}
	if c.CustomSystemPrompt, err = jsonString(cr.CustomSystemPrompt, "custom_system_prompt"); err != nil {
		return err
	}
	if c.Critique, err = jsonString(cr.Critique, "critique"); err != nil {
		return err
	}
	if isNull(cr.Response) {
		return errorf(ReasonMissingField, ErrMissingField, "no response")
	}
	if c.Response, err = jsonString(cr.Response, "response"); err != nil {
		return err
	}
	if c.OverallScore, err = parseScore(cr.Overall, "overall_score", OverallMin, OverallMax); err != nil {
		return err
	}
	if c.FineGrainedScore, err = parseScore(cr.FineGrained, "fine-grained_score", AspectMin, AspectMax); err != nil {
		return err
	}
	rated := !c.OverallScore.Missing() || !c.FineGrainedScore.Missing()
	if len(cr.Annotations) > 0 {
		c.Annotations = make(map[Aspect]Annotation, len(cr.Annotations))
	}
	for name, ar := range cr.Annotations {
		if isNull(ar) {
			continue
		}
		var a ufAnnotation
		if err := jsonx.Unmarshal(ar, &a); err != nil {
			return wrongType("annotation %q is not an object: %v", name, err)
		}
		var ann Annotation
		if ann.Rating, err = parseScore(a.Rating, name+" Rating", AspectMin, AspectMax); err != nil {
			return err
		}
		if ann.Rationale, err = jsonString(a.Rationale, name+" Rationale"); err != nil {
			return err
		}
		if ann.RationaleForRating, err = jsonString(a.RationaleForRating, name+" Rationale For Rating"); err != nil {
			return err
		}
		if ann.Type, err = jsonStrings(a.Type, name+" Type"); err != nil {
			return err
		}
		rated = rated || !ann.Rating.Missing()
		c.Annotations[Aspect(name)] = ann
	}
	if !rated {
		return errorf(ReasonMissingRating, ErrMissingRating,
			"no overall_score, fine-grained_score or aspect Rating")
	}
	return nil
}

// inCompletion prefixes err with the completion's index, keeping its reason.
func inCompletion(i int, err error) error {
	var re *reasonError
	if errors.As(err, &re) {
		return &reasonError{reason: re.reason, err: fmt.Errorf("completion %d: %w", i, re.err)}
	}
	return fmt.Errorf("completion %d: %w", i, err)
}

// parseScore reads a rating: a number or a string holding one, within
// [lo, hi], or "N/A". Absent and null ratings are missing.
func parseScore(raw jsonx.RawMessage, what string, lo, hi float64) (Score, error) {
	if isNull(raw) {
		return Score{}, nil
	}
	var v float64
	switch raw[0] {
	case '"':
		var s string
		if err := jsonx.Unmarshal(raw, &s); err != nil {
			return Score{}, wrongType("%s: %v", what, err)
		}
		t := strings.TrimSpace(s)
		if strings.EqualFold(t, "N/A") || strings.EqualFold(t, "NA") {
			return Score{NA: true}, nil
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return Score{}, errorf(ReasonInvalidRating, ErrInvalidRating,
				"%s %q is neither a number nor N/A", what, s)
		}
		v = f
	default:
		if err := jsonx.Unmarshal(raw, &v); err != nil {
			return Score{}, errorf(ReasonInvalidRating, ErrInvalidRating,
				"%s %s is neither a number nor N/A", what, truncate(raw, 40))
		}
	}
	if math.IsNaN(v) || v < lo || v > hi {
		return Score{}, errorf(ReasonInvalidRating, ErrInvalidRating,
			"%s %v is outside its scale [%v, %v]", what, v, lo, hi)
	}
	return Score{Value: v, Valid: true}, nil
}

// recordID returns the record's own id ("id", else "prompt_id"), or "".
func recordID(rec ufRecord) (string, error) {
	for _, f := range []struct {
		raw  jsonx.RawMessage
		name string
	}{{rec.ID, "id"}, {rec.PromptID, "prompt_id"}} {
		if isNull(f.raw) {
			continue
		}
		if c := f.raw[0]; c == '-' || c >= '0' && c <= '9' {
			return string(f.raw), nil // a number, kept as written
		}
		s, err := jsonString(f.raw, f.name)
		if err != nil {
			return "", err
		}
		if s != "" {
			return s, nil
		}
	}
	return "", nil
}

// deriveID hashes the record's content into a stable id.
func deriveID(uf *Record) string {
	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	write(uf.Source)
	write(uf.Instruction)
	for _, c := range uf.Completions {
		write(c.Model)
		write(c.Response)
	}
	var sum [sha256.Size]byte
	return "uf-" + hex.EncodeToString(h.Sum(sum[:0])[:8])
}

func isNull(raw jsonx.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// jsonString decodes an optional string field ("" when absent or null).
func jsonString(raw jsonx.RawMessage, name string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if raw[0] != '"' {
		return "", wrongType("%s is not a string", name)
	}
	var s string
	if err := jsonx.Unmarshal(raw, &s); err != nil {
		return "", wrongType("%s: %v", name, err)
	}
	return s, nil
}

// jsonStrings decodes an optional field that is a string or an array of
// strings (nil when absent or null).
func jsonStrings(raw jsonx.RawMessage, name string) ([]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] == '"' {
		s, err := jsonString(raw, name)
		return []string{s}, err
	}
	var out []string
	if raw[0] != '[' || jsonx.Unmarshal(raw, &out) != nil {
		return nil, wrongType("%s is not a string or an array of strings", name)
	}
	return out, nil
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
