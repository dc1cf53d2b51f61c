package conversation

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Default limits of a Reader.
const (
	DefaultMaxRecordSize = 64 << 20 // bytes per record
	DefaultMaxMessages   = 10000    // messages per conversation
)

// ReadStats counts what a Reader saw. Every input record is either turned into
// conversations or counted in Skipped under a reason.
type ReadStats struct {
	Records int64 `json:"records"` // input records seen: Kept + the sum of Skipped
	// Kept counts records that yielded conversations. A record may yield
	// several (an OpenAssistant tree gives one per root-to-leaf path), and
	// OpenAssistant message rows are kept together with the tree they belong
	// to. At the end of input Records == Kept + the sum of Skipped.
	Kept          int64            `json:"kept"`
	Conversations int64            `json:"conversations"`  // conversations produced
	Messages      int64            `json:"messages"`       // messages in produced conversations
	FollowUps     int64            `json:"follow_ups"`     // user messages directly after an assistant message
	EmptyMessages int64            `json:"empty_messages"` // dropped empty messages
	Skipped       map[string]int64 `json:"skipped"`        // reason -> skipped records
	Formats       map[string]int64 `json:"formats"`        // format -> records
	// Repaired counts records that were kept after a repair, by reason
	// (currently only "invalid_utf8": invalid bytes replaced with U+FFFD).
	Repaired map[string]int64 `json:"repaired,omitempty"`
}

// Merge adds the counts of o to s.
func (s *ReadStats) Merge(o ReadStats) {
	s.Records += o.Records
	s.Kept += o.Kept
	s.Conversations += o.Conversations
	s.Messages += o.Messages
	s.FollowUps += o.FollowUps
	s.EmptyMessages += o.EmptyMessages
	s.Skipped = mergeCounts(s.Skipped, o.Skipped)
	s.Formats = mergeCounts(s.Formats, o.Formats)
	s.Repaired = mergeCounts(s.Repaired, o.Repaired)
}

// snapshot returns a copy of s whose maps are fresh and never nil.
func (s *ReadStats) snapshot() ReadStats {
	c := *s
	c.Skipped = maps.Clone(s.Skipped)
	c.Formats = maps.Clone(s.Formats)
	c.Repaired = maps.Clone(s.Repaired)
	if c.Skipped == nil {
		c.Skipped = map[string]int64{}
	}
	if c.Formats == nil {
		c.Formats = map[string]int64{}
	}
	return c
}

// skip counts a bad record under its reason; it returns pe when the reader is
// strict, and otherwise reports it to onSkip (if set) and returns nil.
func (s *ReadStats) skip(pe *ParseError, strict bool, onSkip func(*ParseError)) error {
	if s.Skipped == nil {
		s.Skipped = make(map[string]int64)
	}
	s.Skipped[pe.Reason] += max(1, pe.records)
	if strict {
		return pe
	}
	if onSkip != nil {
		onSkip(pe)
	}
	return nil
}

// validUTF8 returns rec unchanged when it is valid UTF-8. Otherwise a strict
// reader gets an invalid_utf8 *ParseError, and a lenient one the record with
// invalid bytes replaced by U+FFFD, counted in Repaired.
func (s *ReadStats) validUTF8(rec []byte, loc Location, strict bool) ([]byte, *ParseError) {
	if utf8.Valid(rec) {
		return rec, nil
	}
	if strict {
		return nil, newParseError(loc, ReasonInvalidUTF8, fmt.Errorf("record is not valid UTF-8: %w", ErrInvalidUTF8))
	}
	if s.Repaired == nil {
		s.Repaired = make(map[string]int64)
	}
	s.Repaired[ReasonInvalidUTF8]++
	return bytes.ToValidUTF8(rec, []byte("\uFFFD")), nil
}

// allOf turns a Next method into an iterator: it stops at io.EOF, and yields
// any other error once, after which iteration stops.
func allOf[T any](ctx context.Context, next func(context.Context) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := next(ctx)
			if err == io.EOF {
				return
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

func mergeCounts(dst, src map[string]int64) map[string]int64 {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[string]int64, len(src))
	}
	for k, v := range src {
		dst[k] += v
	}
	return dst
}

// Reader reads conversations from a chat-log stream in any supported format
// and container. Create one with NewReader or Open, set options before the
// first call to Next, and read with Next or All. A Reader is not safe for
// concurrent use.
type Reader struct {
	// Format forces a record format; FormatAuto detects it from the first record.
	Format Format
	// Strict makes Next return a *ParseError for the first bad record. By
	// default (lenient) bad records are skipped and counted by reason.
	Strict bool
	// MaxRecordSize is the maximum size of one record in bytes; 0 means
	// DefaultMaxRecordSize. Longer records fail with ErrRecordTooLarge and
	// are never held in memory whole.
	MaxRecordSize int
	// MaxMessages is the maximum number of messages per conversation; 0 means
	// DefaultMaxMessages. Longer conversations fail with ErrTooManyMessages.
	MaxMessages int
	// OnSkip, if set, is called for every record skipped in lenient mode.
	OnSkip func(*ParseError)

	in      io.Reader
	name    string
	file    *os.File // opened by Open; closed by Close
	started bool
	op      *opened
	src     recordSource
	pq      *parquetSource // src when the input is Parquet
	// pqJSON makes every Parquet row go through JSON (tests compare the
	// direct read of message lists with it).
	pqJSON  bool
	srcDone bool
	// unreadable is set when the input could not be read at all (start
	// failed with a *ParseError, counted as one skipped record).
	unreadable bool
	closers    []func() error
	// midFile marks a byte-range shard that starts after the first line
	// (shard.go): it is read as JSON Lines without sniffing, and lineBase is
	// the number of lines before it.
	midFile  bool
	lineBase int
	prefix   *io.SectionReader // the file before a midFile shard, for format detection
	format   Format
	parser   parser
	queue    []*Conversation
	err      error // sticky: io.EOF or a fatal error
	stats    ReadStats
}

// NewReader returns a Reader over r. name is used in errors and
// Location.File, and as the base of derived conversation ids. The container
// is sniffed on the first call to Next: gzip and zstd by magic bytes, then
// Parquet ("PAR1"), a top-level JSON array (streamed element by element), or
// JSON Lines.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{in: r, name: name}
}

// Open opens the file at path ("-" for standard input) for reading. The
// caller must call Close.
func Open(path string) (*Reader, error) {
	if path == "-" {
		return NewReader(os.Stdin, "stdin"), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := NewReader(f, path)
	r.file = f
	return r, nil
}

// Close releases the Reader's resources: decompressors, temporary files, and
// the file opened by Open. It does not close an io.Reader given to NewReader.
func (r *Reader) Close() error {
	var errs []error
	if r.op != nil {
		errs = append(errs, r.op.close())
	}
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i]())
	}
	r.closers = nil
	if r.file != nil {
		errs = append(errs, r.file.Close())
		r.file = nil
	}
	if r.err == nil {
		r.err = errors.New("conversation: reader closed")
	}
	return errors.Join(errs...)
}

// Stats returns the counts so far.
func (r *Reader) Stats() ReadStats { return r.stats.snapshot() }

// DetectedFormat returns the format in use: the forced one, the one detected
// from the first record, or FormatAuto before detection.
func (r *Reader) DetectedFormat() Format { return r.format }

// All returns an iterator over the remaining conversations. It stops at the
// end of input; a non-EOF error is yielded once, after which iteration stops
// (in lenient mode only fatal errors such as I/O failures are yielded).
func (r *Reader) All(ctx context.Context) iter.Seq2[*Conversation, error] {
	return allOf(ctx, r.Next)
}

// Next returns the next conversation. It returns io.EOF at the end of input.
// In strict mode a bad record gives a *ParseError (and Next may be called again
// to continue after it); in lenient mode bad records are skipped and counted
// in Stats. Other errors (I/O, cancellation) are returned as they are.
func (r *Reader) Next(ctx context.Context) (*Conversation, error) {
	for {
		if len(r.queue) > 0 {
			c := r.queue[0]
			r.queue[0] = nil
			r.queue = r.queue[1:]
			return c, nil
		}
		if r.err != nil {
			return nil, r.err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.srcDone {
			r.flushParser()
			if len(r.queue) == 0 {
				r.err = io.EOF
			}
			continue
		}
		rec, loc, err := r.nextRaw(&r.stats, r.Strict, r.OnSkip)
		if err == io.EOF {
			r.srcDone = true
			continue
		}
		if err != nil {
			return nil, fatal(&r.err, err)
		}
		if perr := r.record(rec, loc); perr != nil {
			return nil, perr
		}
	}
}

// nextRaw is the raw-record step Reader and RecordReader share: it
// starts the container on the first call and returns the next raw record and
// its location, counting every record read in st.Records. A record the
// container cannot deliver is a *ParseError, accounted for in st (see
// ReadStats.skip): in strict mode it is returned, in lenient mode the next
// record is fetched. An input that cannot be read at all is one such record,
// after which nextRaw returns io.EOF. Other errors (I/O) are returned as they
// are.
func (r *Reader) nextRaw(st *ReadStats, strict bool, onSkip func(*ParseError)) ([]byte, Location, error) {
	for {
		var rec []byte
		var loc Location
		var err error
		switch {
		case !r.started:
			r.started = true
			loc = Location{File: r.name}
			if err = r.start(); err == nil {
				continue
			}
			r.unreadable = true
		case r.unreadable:
			return nil, Location{File: r.name}, io.EOF
		default:
			rec, loc, err = r.src.next()
		}
		var pe *ParseError
		if err == nil || errors.As(err, &pe) {
			st.Records++
		}
		if pe != nil {
			if perr := st.skip(pe, strict, onSkip); perr != nil {
				return nil, loc, perr
			}
			continue
		}
		return rec, loc, err
	}
}

// fatal stores err in the reader's sticky error unless it is a *ParseError
// (after which a strict reader can go on), and returns it.
func fatal(sticky *error, err error) error {
	var pe *ParseError
	if !errors.As(err, &pe) {
		*sticky = err
	}
	return err
}

// skip accounts for a bad record and returns it if the reader is strict.
func (r *Reader) skip(pe *ParseError) error {
	return r.stats.skip(pe, r.Strict, r.OnSkip)
}

// start sniffs the container and sets up the record source.
func (r *Reader) start() error {
	if r.MaxRecordSize <= 0 {
		r.MaxRecordSize = DefaultMaxRecordSize
	}
	if r.MaxMessages <= 0 {
		r.MaxMessages = DefaultMaxMessages
	}
	if r.Format != FormatAuto {
		if _, err := ParseFormat(string(r.Format)); err != nil || !isConcrete(r.Format) {
			return fmt.Errorf("conversation: unknown format %q: %w", r.Format, ErrUnknownFormat)
		}
		r.setFormat(r.Format)
	}
	if r.midFile {
		if r.format == FormatAuto {
			// Detect the format as a reader of the whole file would have.
			f, err := r.detectPrefix()
			if err != nil {
				return err
			}
			if f != FormatAuto {
				r.setFormat(f)
			}
		}
		r.op = &opened{br: bufio.NewReaderSize(r.in, bufSize)}
		r.src = newJSONLSource(r.op.br, r.name, r.MaxRecordSize, r.lineBase)
		return nil
	}
	op, err := decompress(r.in, r.name)
	r.op = op
	if err != nil {
		return err
	}
	head, _ := op.br.Peek(4)
	if bytes.Equal(head, parquetMagic) {
		return r.startParquet()
	}
	line := 1
	c, err := skipSpace(op.br, &line)
	if err != nil {
		if pe := compressionError(Location{File: r.name, Line: line}, err); pe != nil {
			return pe
		}
		return err
	}
	switch {
	case c == '[':
		r.src = newArraySource(op.br, r.name, r.MaxRecordSize, line-1)
	case c == '{' && spreadJSON(peekHead(op.br)):
		r.src = newConcatSource(op.br, r.name, r.MaxRecordSize, line-1)
	default:
		r.src = newJSONLSource(op.br, r.name, r.MaxRecordSize, line-1)
	}
	return nil
}

// peekHead returns the buffered start of the input (up to the buffer size)
// without consuming it.
func peekHead(br *bufio.Reader) []byte {
	head, _ := br.Peek(bufSize)
	return head
}

// startParquet sets up the Parquet source, spooling the stream to a temporary
// file when it is compressed or not a seekable file.
func (r *Reader) startParquet() error {
	if f, ok := r.in.(*os.File); ok && !r.op.compressed {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			src, err := newParquetSource(f, fi.Size(), r.name, r.MaxRecordSize)
			if err != nil {
				return err
			}
			r.setParquetSource(src)
			return nil
		}
	}
	tmp, err := os.CreateTemp("", "dsatmine-*.parquet")
	if err != nil {
		return fmt.Errorf("conversation: spooling Parquet input: %w", err)
	}
	r.closers = append(r.closers, func() error {
		cerr := tmp.Close()
		if err := os.Remove(tmp.Name()); err != nil {
			return err
		}
		return cerr
	})
	n, err := io.Copy(tmp, r.op.br)
	if err != nil {
		if pe := compressionError(Location{File: r.name}, err); pe != nil {
			return pe
		}
		return fmt.Errorf("conversation: spooling Parquet input: %w", err)
	}
	src, err := newParquetSource(tmp, n, r.name, r.MaxRecordSize)
	if err != nil {
		return err
	}
	r.setParquetSource(src)
	return nil
}

// setParquetSource uses src, reading its message lists directly when the
// format is known and allows it (a detected format turns it on in
// setFormat).
func (r *Reader) setParquetSource(src recordSource) {
	r.setSource(src)
	if pq, ok := src.(*parquetSource); ok {
		r.pq = pq
		if r.parser != nil && !r.pqJSON {
			pq.setDirect(r.parser)
		}
	}
}

func (r *Reader) setSource(src recordSource) {
	r.src = src
	if c, ok := src.(io.Closer); ok {
		r.closers = append(r.closers, c.Close)
	}
}

func isConcrete(f Format) bool {
	for _, g := range Formats {
		if f == g {
			return true
		}
	}
	return false
}

func (r *Reader) setFormat(f Format) {
	r.format = f
	r.parser = newParser(f, r)
	if r.pq != nil && !r.pqJSON {
		r.pq.setDirect(r.parser)
	}
}

// record parses one raw record and queues its conversations. It returns a
// *ParseError only when the record is bad and the reader is strict.
func (r *Reader) record(rec []byte, loc Location) error {
	if r.pq != nil && r.pq.rowDirect {
		if done, err := r.recordDirect(rec, &r.pq.enc.list, loc); done {
			return err
		}
		// Not a row the direct path handles: read it as JSON like any other.
		var err error
		if rec, err = r.pq.wholeRow(); err != nil {
			var pe *ParseError
			errors.As(err, &pe)
			return r.skip(pe)
		}
	}
	rec, pe := r.stats.validUTF8(rec, loc, r.Strict)
	if pe != nil {
		return r.skip(pe)
	}
	if r.format == FormatAuto {
		f, err := detectRecord(rec)
		if err != nil {
			return r.skip(toParseError(loc, err))
		}
		r.setFormat(f)
	}
	if r.stats.Formats == nil {
		r.stats.Formats = make(map[string]int64)
	}
	r.stats.Formats[string(r.format)]++
	// A grouping parser may return the conversations of an earlier group
	// together with an error for this record (or for that group).
	convs, err := r.parser.parse(rec, loc)
	covered, grouping := r.covered(convs)
	if err == nil && len(convs) == 0 && !grouping {
		err = errorf(ReasonEmptyConversation, ErrEmptyConversation, "record holds no conversation")
	}
	if err != nil || len(convs) == 1 && len(convs[0].Messages) == 0 {
		// Only on the error path: a record of another format in the same
		// input (mixed files) is reported as such, not as a broken record.
		if hint := r.formatMismatch(rec); hint != "" {
			if err == nil && !grouping {
				convs, covered = nil, 0
				err = errorf(ReasonEmptyConversation, ErrEmptyConversation, "no messages")
			}
			if err != nil {
				pe := toParseError(loc, err)
				err = &reasonError{reason: pe.Reason, err: fmt.Errorf("%w (%s)", pe.Err, hint), records: pe.records}
			}
		}
	}
	qerr := r.enqueue(convs, covered)
	if err != nil {
		// Counted even when the conversations of an earlier group failed too.
		if perr := r.skip(toParseError(loc, err)); qerr == nil {
			return perr
		}
	}
	return qerr
}

// recordDirect is record for a Parquet row whose message list l was read
// directly (parquet_direct.go), rec being the JSON of its other columns. It
// handles only the rows that yield a conversation, with valid UTF-8
// throughout, and reports whether it did; the caller reads the others whole
// as JSON, so that their repair, errors and counts are exactly the JSON
// path's.
func (r *Reader) recordDirect(rec []byte, l *directList, loc Location) (bool, error) {
	dp, ok := r.parser.(directParser)
	if !ok || l.invalid || !utf8.Valid(rec) {
		return false, nil
	}
	convs, err := dp.parseDirect(rec, l, loc)
	if err != nil || len(convs) != 1 || len(convs[0].Messages) == 0 {
		return false, nil
	}
	if r.stats.Formats == nil {
		r.stats.Formats = make(map[string]int64)
	}
	r.stats.Formats[string(r.format)]++
	r.pq.directRows++
	return true, r.enqueue(convs, 1)
}

// formatMismatch returns a hint for the error message when rec is an object
// whose fields identify another format than the one the input was detected
// (or forced) as, and "" otherwise.
func (r *Reader) formatMismatch(rec []byte) string {
	var keys map[string]jsonx.RawMessage
	if jsonx.Unmarshal(rec, &keys) != nil {
		return ""
	}
	f, ok := detectFormat(keys)
	if !ok || f == r.format {
		return ""
	}
	return fmt.Sprintf("the record looks like %s, but the input is read as %s: its format is fixed by its first record or by the caller", f, r.format)
}

// groupingParser is a parser whose conversations may cover several records
// (or records other than the one just parsed).
type groupingParser interface {
	// takeEmitted returns how many input records the conversations returned
	// since the last call cover, and resets the count.
	takeEmitted() int64
}

// covered returns how many input records convs, just returned by the parser,
// cover, and whether the parser groups records.
func (r *Reader) covered(convs []*Conversation) (int64, bool) {
	if g, ok := r.parser.(groupingParser); ok {
		return g.takeEmitted(), true
	}
	if len(convs) > 0 {
		return 1, false
	}
	return 0, false
}

// detectRecord detects the format of a record from its top-level keys.
func detectRecord(rec []byte) (Format, error) {
	var keys map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(rec, &keys); err != nil {
		return FormatAuto, jsonError(rec, err)
	}
	f, ok := detectFormat(keys)
	if !ok {
		return FormatAuto, unknownFormatError(keys)
	}
	return f, nil
}

// flushParser queues what a grouping parser still holds at the end of input.
func (r *Reader) flushParser() {
	if r.parser == nil {
		return
	}
	convs, err := r.parser.flush()
	covered, _ := r.covered(convs)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			if serr := r.skip(pe); serr != nil {
				r.queue = nil
				r.err = serr
				return
			}
		}
		return
	}
	if err := r.enqueue(convs, covered); err != nil {
		r.err = err
	}
}

// enqueue normalises conversations, which cover the given number of input
// records, and queues them; if one of them is bad all those records are
// skipped.
func (r *Reader) enqueue(convs []*Conversation, records int64) error {
	var empty int64
	for _, c := range convs {
		n, err := r.finish(c)
		if err != nil {
			pe := toParseError(c.Location, err)
			pe.records = records
			return r.skip(pe)
		}
		empty += n
	}
	if len(convs) > 0 {
		r.stats.Kept += records
	}
	for _, c := range convs {
		r.stats.Conversations++
		r.stats.Messages += int64(len(c.Messages))
		r.stats.FollowUps += int64(len(c.FollowUps()))
	}
	r.stats.EmptyMessages += empty
	r.queue = append(r.queue, convs...)
	return nil
}

// finish drops empty messages and applies the limits. It returns the number of
// dropped messages.
func (r *Reader) finish(c *Conversation) (int64, error) {
	if len(c.Messages) > r.MaxMessages {
		return 0, errorf(ReasonTooManyMessages, ErrTooManyMessages,
			"conversation has %d messages, more than the limit of %d", len(c.Messages), r.MaxMessages)
	}
	kept := c.Messages[:0]
	for i, m := range c.Messages {
		if isBlank(m.Content) && len(m.ToolCalls) == 0 && !emptyReplyKept(c.Messages, kept, i) {
			continue
		}
		kept = append(kept, m)
	}
	dropped := int64(len(c.Messages) - len(kept))
	clear(c.Messages[len(kept):])
	c.Messages = kept
	if len(kept) == 0 {
		return 0, errorf(ReasonEmptyConversation, ErrEmptyConversation, "no non-empty message")
	}
	if c.ID == "" {
		c.ID = r.deriveID(c.Location, -1)
	}
	return dropped, nil
}

// emptyReplyKept reports whether the empty message msgs[i] is an assistant
// reply to keep: one between a user message (the last kept) and the next
// non-empty message, a user's. Dropping it would join two user turns and lose
// the follow-up to the empty reply, which is a follow-up all the same.
func emptyReplyKept(msgs, kept []Message, i int) bool {
	if msgs[i].Role != Assistant || len(kept) == 0 || kept[len(kept)-1].Role != User {
		return false
	}
	for _, m := range msgs[i+1:] {
		if !isBlank(m.Content) || len(m.ToolCalls) > 0 {
			return m.Role == User
		}
	}
	return false
}

// deriveID builds a deterministic id from the input's base name and the
// record's location (and path index for trees, if path >= 0).
func (r *Reader) deriveID(loc Location, path int) string {
	base := "stdin"
	if r.name != "" && r.name != "-" {
		base = filepath.Base(r.name)
	}
	b := []byte(base)
	if loc.Row > 0 {
		b = append(b, '#')
		b = strconv.AppendInt(b, int64(loc.Row), 10)
	} else {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(loc.Line), 10)
	}
	if path >= 0 {
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(path), 10)
	}
	return string(b)
}

// jsonxValid reports whether data is well-formed JSON.
func jsonxValid(data []byte) bool { return jsonx.Valid(data) }
