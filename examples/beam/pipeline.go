package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Policy is the miner configuration of a pipeline. It mirrors the policy
// flags of `dsatmine mine` and is serialised into the pipeline with the
// DoFns, so every worker builds the same dsat.Miner.
type Policy struct {
	// Policy holds the thresholds and anchor policy, as in dsatmine mine.
	dsat.Policy
	// Encoding, MaxPromptTokens and MaxTotalTokens set a token budget when
	// either limit is above zero.
	Encoding        string
	MaxPromptTokens int
	MaxTotalTokens  int
	// NoDedup keeps anchors whose normalised prompt and reply repeat.
	NoDedup bool
	// Classifier is "default" (the embedded model: DefaultPolicy's, as
	// `dsatmine mine`), "" or "none" (heuristics only) or
	// the path of a model file written by `dsatmine train`, in any Beam file
	// system. Build reads the file once and ships its bytes in Model, so
	// workers need no access to it.
	Classifier string
	// Cascade limits the classifier to follow-ups whose heuristic DSAT score
	// is in the band "LOW:HIGH" ("default" is dsat.DefaultCascade; "" = all).
	Cascade string
	// ClassifierThreshold and ClassifierVeto are dsat.Config's (0: the
	// model's stored values).
	ClassifierThreshold float64
	ClassifierVeto      float64
	// Model is the content of the Classifier model file, set by Build.
	Model []byte `json:",omitempty"`
}

// DefaultPolicy returns the defaults of `dsatmine mine`.
func DefaultPolicy() Policy {
	return Policy{Policy: dsat.DefaultPolicy(), Encoding: dsat.EncodingCL100k, Classifier: "default"}
}

// Config returns the dsat configuration p describes, built the way
// `dsatmine mine` builds it from its flags. A model-file classifier is
// loaded from p.Model (see Build).
func (p Policy) Config() (dsat.Config, error) {
	cfg := dsat.DefaultConfig()
	p.Policy.Apply(&cfg)
	cfg.Dedup = !p.NoDedup
	if p.MaxPromptTokens > 0 || p.MaxTotalTokens > 0 {
		cfg.Tokens = &dsat.TokenBudget{Encoding: p.Encoding, MaxPromptTokens: p.MaxPromptTokens, MaxTotalTokens: p.MaxTotalTokens}
	}
	switch p.Classifier {
	case "", "none":
	case "default":
		m, err := classifier.Default()
		if err != nil {
			return cfg, fmt.Errorf("beam: default classifier: %w", err)
		}
		cfg.Classifier = m
	default:
		if p.Model == nil {
			return cfg, fmt.Errorf("beam: classifier model %s not loaded", p.Classifier)
		}
		m, err := classifier.Load(bytes.NewReader(p.Model))
		if err != nil {
			return cfg, fmt.Errorf("beam: classifier %s: %w", p.Classifier, err)
		}
		cfg.Classifier = m
	}
	if p.Cascade != "" {
		if cfg.Classifier == nil {
			return cfg, errors.New("beam: a cascade needs a classifier")
		}
		band, err := parseBand(p.Cascade)
		if err != nil {
			return cfg, err
		}
		cfg.Cascade = &band
	}
	cfg.ClassifierThreshold, cfg.ClassifierVeto = p.ClassifierThreshold, p.ClassifierVeto
	return cfg, nil
}

// ErrBand is returned (wrapped) for a cascade band that is not "LOW:HIGH"
// with 0 <= LOW < HIGH <= 1, nor "default".
var ErrBand = errors.New("beam: bad cascade band")

func parseBand(v string) (dsat.Band, error) {
	b, err := dsat.ParseBand(v)
	if err != nil {
		return dsat.Band{}, fmt.Errorf("%w: %w", ErrBand, err)
	}
	return b, nil
}

// loadModel reads the classifier model file into p.Model.
func (p *Policy) loadModel(ctx context.Context) error {
	if p.Classifier == "" || p.Classifier == "none" || p.Classifier == "default" || p.Model != nil {
		return nil
	}
	fs, err := filesystem.New(ctx, p.Classifier)
	if err != nil {
		return err
	}
	defer fs.Close()
	p.Model, err = filesystem.Read(ctx, fs, p.Classifier)
	return err
}

// Options describe one pipeline run.
type Options struct {
	// Inputs are file paths or glob patterns in any Beam file system
	// (local, gs://, s3:// when registered). Patterns expand in sorted order;
	// the order of Inputs is kept, so the run sees the files in the order
	// `dsatmine mine` would be given them.
	Inputs []string
	// Anchors is the anchors output file (JSON Lines in Export format).
	Anchors string
	// Events, when set, is an output file for every DSAT and SAT event.
	Events string
	// Stats, when set, is the output file of the merged run statistics.
	Stats string
	// Export is the anchor layout ("" means drift).
	Export export.Format
	// Format forces an input record format ("" or "auto" detects it).
	Format string
	// Strict fails the pipeline on the first bad record instead of
	// skipping and counting it.
	Strict bool
	// SplitBytes, when above zero, cuts plain JSON Lines files larger than
	// it into byte-range shards of about SplitBytes each (see ExpandInputs).
	SplitBytes int64
	Policy     Policy
}

// ErrNoInput is returned by Build when the inputs match no file.
var ErrNoInput = errors.New("beam: no input files")

// Shard is one unit of input work: a whole file, or a byte range of a JSON
// Lines file (a conversation.Shard). Index orders shards as the
// single-process run would read them.
type Shard struct {
	Index int
	Path  string
	// Ranged marks a byte range: the lines that start in [Start, End), the
	// first of them being line Line of the file.
	Ranged           bool
	Start, End, Line int64
}

// Pos is the position of an output record in the single-process run: its
// shard, the conversation's ordinal in the shard and the record's index in
// the conversation's result.
type Pos struct {
	Shard int
	Conv  int64
	Item  int
}

func comparePos(a, b Pos) int {
	return cmp.Or(cmp.Compare(a.Shard, b.Shard), cmp.Compare(a.Conv, b.Conv), cmp.Compare(a.Item, b.Item))
}

// AnchorRec is an anchor on its way through the pipeline: its export line
// (empty when the export format cannot represent it) and what the run
// statistics need to count it.
type AnchorRec struct {
	Pos      Pos
	Line     []byte
	Exported bool
	Chosen   bool
	// Dups counts the later duplicates that dedup dropped for this anchor.
	Dups int64
	// Export is what writing the line changed (role normalisation) and
	// wrote (kto rows), counted into the statistics only when the anchor
	// survives dedup, as `dsatmine mine` counts it.
	Export dsat.ExportStats
}

// EventRec is one event line at its position.
type EventRec struct {
	Pos  Pos
	Line []byte
}

// RunStats carries dsat.Stats between pipeline stages. It has a JSON coder,
// so that its maps travel as they are written in stats.json.
type RunStats struct {
	S dsat.Stats
}

func encodeRunStats(s RunStats) ([]byte, error) { return jsonx.Marshal(&s.S) }

func decodeRunStats(b []byte) (RunStats, error) {
	var s RunStats
	err := jsonx.Unmarshal(b, &s.S)
	return s, err
}

func init() {
	beam.RegisterCoder(reflect.TypeFor[RunStats](), encodeRunStats, decodeRunStats)
	beam.RegisterType(reflect.TypeFor[Shard]())
	beam.RegisterType(reflect.TypeFor[Pos]())
	beam.RegisterType(reflect.TypeFor[AnchorRec]())
	beam.RegisterType(reflect.TypeFor[EventRec]())

	register.DoFn5x1[context.Context, Shard, func(string, AnchorRec), func(EventRec), func(RunStats), error](&mineFn{})
	register.Emitter2[string, AnchorRec]()
	register.Emitter1[EventRec]()
	register.Emitter1[RunStats]()
	register.DoFn3x0[string, func(*AnchorRec) bool, func(AnchorRec)](&dedupFn{})
	register.Iter1[AnchorRec]()
	register.Function2x1[string, AnchorRec, AnchorRec](dropKey)
	register.DoFn4x1[context.Context, int, func(*AnchorRec) bool, func(RunStats), error](&writeAnchorsFn{})
	register.DoFn3x1[context.Context, int, func(*EventRec) bool, error](&writeEventsFn{})
	register.Iter1[EventRec]()
	register.Combiner1[RunStats](&statsCombineFn{})
	register.DoFn2x1[context.Context, RunStats, error](&writeStatsFn{})
}

// ExpandInputs expands each input pattern with its file system and returns
// the shards in run order. Patterns without glob characters are kept as
// they are (a missing file then fails when it is read, as in `dsatmine
// mine`). Each file is one shard, except that when splitBytes is above zero
// a plain JSON Lines file on the local file system that is larger than
// splitBytes is cut at line boundaries into shards of about splitBytes (with
// conversation.SplitJSONL). Compressed, Parquet and JSON-array files, files
// in other file systems and OpenAssistant files (format, forced or detected
// from the first record, "oasst": message rows form trees across lines)
// are never cut.
func ExpandInputs(ctx context.Context, inputs []string, splitBytes int64, format conversation.Format) ([]Shard, error) {
	var shards []Shard
	for _, in := range inputs {
		files := []string{in}
		if strings.ContainsAny(in, "*?[") {
			fs, err := filesystem.New(ctx, in)
			if err != nil {
				return nil, err
			}
			files, err = fs.List(ctx, in)
			fs.Close()
			if err != nil {
				return nil, fmt.Errorf("beam: expand %s: %w", in, err)
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("%w: %s matches nothing", ErrNoInput, in)
			}
			slices.Sort(files)
		}
		for _, f := range files {
			ranges, err := split(ctx, f, splitBytes, format)
			if err != nil {
				return nil, err
			}
			if ranges == nil {
				shards = append(shards, Shard{Index: len(shards), Path: f})
				continue
			}
			for _, r := range ranges {
				shards = append(shards, Shard{Index: len(shards), Path: f, Ranged: true, Start: r.Start, End: r.End, Line: r.Line})
			}
		}
	}
	if len(shards) == 0 {
		return nil, ErrNoInput
	}
	return shards, nil
}

// split returns the byte-range shards of the file at name, or nil when it
// is to be read whole.
func split(ctx context.Context, name string, splitBytes int64, format conversation.Format) ([]conversation.Shard, error) {
	if splitBytes <= 0 || format == conversation.FormatOASST || strings.Contains(name, "://") {
		return nil, nil
	}
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= splitBytes {
		return nil, nil // a missing file fails when it is read
	}
	if format == conversation.FormatAuto {
		r, err := conversation.Open(name)
		if err != nil {
			return nil, err
		}
		_, err = r.Next(ctx)
		detected := r.DetectedFormat()
		r.Close()
		if err == nil && detected == conversation.FormatOASST {
			return nil, nil
		}
	}
	n := int((fi.Size() + splitBytes - 1) / splitBytes)
	ranges, err := conversation.SplitJSONL(name, n)
	if errors.Is(err, conversation.ErrNotSplittable) {
		return nil, nil
	}
	return ranges, err
}

// Build adds the mining pipeline for opts to s: read every shard, mine it
// with a dsat.Miner per worker, deduplicate anchors across the run (the
// first in input order wins), and write anchors, events and the merged
// statistics. Outputs are written in the single-process order, so they are
// byte-identical to `dsatmine mine` over the same inputs in the same order.
func Build(ctx context.Context, s beam.Scope, opts Options) error {
	if opts.Anchors == "" {
		return errors.New("beam: no anchors output")
	}
	format, err := export.ParseFormat(string(opts.Export))
	if err != nil {
		return err
	}
	inFormat, err := conversation.ParseFormat(opts.Format)
	if err != nil {
		return err
	}
	policy := opts.Policy
	if err := policy.loadModel(ctx); err != nil {
		return err
	}
	// Fail at construction time, not on every worker.
	cfg, err := policy.Config()
	if err != nil {
		return err
	}
	if _, err := dsat.NewMiner(cfg); err != nil {
		return err
	}
	for _, out := range []string{opts.Anchors, opts.Events, opts.Stats} {
		if out != "" {
			filesystem.ValidateScheme(out)
		}
	}
	shards, err := ExpandInputs(ctx, opts.Inputs, opts.SplitBytes, inFormat)
	if err != nil {
		return err
	}

	s = s.Scope("dsatmine")
	// Reshuffle so that a runner spreads the shards over its workers
	// instead of fusing them into the one bundle that Create makes.
	in := beam.Reshuffle(s, beam.CreateList(s.Scope("Shards"), shards))
	keyed, events, mined := beam.ParDo3(s.Scope("Mine"), &mineFn{
		Policy: policy, Export: string(format), InputFormat: opts.Format,
		Strict: opts.Strict, WithEvents: opts.Events != "",
	}, in)

	var anchors beam.PCollection
	if opts.Policy.NoDedup {
		anchors = beam.ParDo(s.Scope("NoDedup"), dropKey, keyed)
	} else {
		anchors = beam.ParDo(s.Scope("Dedup"), &dedupFn{}, beam.GroupByKey(s, keyed))
	}
	// Each writer gets all its records in one group. A sentinel record
	// (shard -1, not written) makes the group exist, and the file be
	// written, when there are no records at all.
	anchors = beam.Flatten(s, anchors, beam.Create(s, AnchorRec{Pos: Pos{Shard: -1}}))
	written := beam.ParDo(s.Scope("WriteAnchors"), &writeAnchorsFn{Path: opts.Anchors, Export: string(format)},
		beam.GroupByKey(s, beam.AddFixedKey(s, anchors)))
	if opts.Events != "" {
		events = beam.Flatten(s, events, beam.Create(s, EventRec{Pos: Pos{Shard: -1}}))
		beam.ParDo0(s.Scope("WriteEvents"), &writeEventsFn{Path: opts.Events},
			beam.GroupByKey(s, beam.AddFixedKey(s, events)))
	}
	if opts.Stats != "" {
		total := beam.Combine(s.Scope("MergeStats"), &statsCombineFn{}, beam.Flatten(s, mined, written))
		beam.ParDo0(s.Scope("WriteStats"), &writeStatsFn{Path: opts.Stats}, total)
	}
	return nil
}

// mineFn mines the conversations of one shard. It emits every anchor keyed
// by its dedup key, every event when WithEvents is set, and the shard's
// statistics (without the anchor counts, which depend on dedup).
type mineFn struct {
	Policy      Policy
	Export      string
	InputFormat string
	Strict      bool
	WithEvents  bool

	miner  *dsat.Miner
	format conversation.Format
}

func (f *mineFn) Setup() error {
	cfg, err := f.Policy.Config()
	if err != nil {
		return err
	}
	m, err := dsat.NewMiner(cfg)
	if err != nil {
		return err
	}
	f.miner = m
	f.format, err = conversation.ParseFormat(f.InputFormat)
	return err
}

func (f *mineFn) ProcessElement(ctx context.Context, sh Shard, emitAnchor func(string, AnchorRec), emitEvent func(EventRec), emitStats func(RunStats)) error {
	r, closeInput, err := openShard(ctx, sh)
	if err != nil {
		return err
	}
	defer closeInput()
	r.Format = f.format
	r.Strict = f.Strict

	st := f.miner.NewStats()
	var (
		buf bytes.Buffer
		ew  = export.NewEventWriter(&buf)
	)
	for conv := int64(0); ; conv++ {
		c, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		res, err := f.miner.Mine(ctx, c)
		if err != nil {
			return err
		}
		st.AddResult(res)
		if f.WithEvents {
			for i := range res.Events {
				buf.Reset()
				if err := ew.WriteEvent(&res.Events[i]); err != nil {
					return err
				}
				emitEvent(EventRec{Pos: Pos{sh.Index, conv, i}, Line: bytes.Clone(buf.Bytes())})
			}
		}
		for i := range res.Anchors {
			a := &res.Anchors[i]
			buf.Reset()
			rec := AnchorRec{Pos: Pos{sh.Index, conv, i}, Exported: true, Chosen: len(a.Chosen) > 0}
			// A writer per anchor, so that its counts are this anchor's.
			aw := export.NewAnchorWriter(&buf, export.Format(f.Export))
			err := aw.WriteAnchor(a)
			rec.Export = aw.ExportStats()
			switch {
			case errors.Is(err, dsat.ErrNotExported):
				rec.Exported = false
			case err != nil:
				return err
			default:
				rec.Line = bytes.Clone(buf.Bytes())
			}
			k := dsat.DedupKey(a)
			emitAnchor(hex.EncodeToString(k[:]), rec)
		}
	}
	st.AddRead(r.Stats())
	emitStats(RunStats{S: *st})
	return nil
}

// openShard returns a reader over the shard and the function that closes it.
func openShard(ctx context.Context, sh Shard) (*conversation.Reader, func(), error) {
	if sh.Ranged {
		r, err := conversation.OpenShard(conversation.Shard{Path: sh.Path, Start: sh.Start, End: sh.End, Line: sh.Line})
		if err != nil {
			return nil, nil, err
		}
		return r, func() { r.Close() }, nil
	}
	fs, err := filesystem.New(ctx, sh.Path)
	if err != nil {
		return nil, nil, err
	}
	rc, err := fs.OpenRead(ctx, sh.Path)
	if err != nil {
		fs.Close()
		return nil, nil, err
	}
	r := conversation.NewReader(rc, sh.Path)
	return r, func() { r.Close(); rc.Close(); fs.Close() }, nil
}

// dedupFn keeps the first anchor in input order of each dedup key and
// counts the others as duplicates.
type dedupFn struct{}

func (dedupFn) ProcessElement(_ string, recs func(*AnchorRec) bool, emit func(AnchorRec)) {
	var (
		first AnchorRec
		n     int64
		rec   AnchorRec
	)
	for recs(&rec) {
		if n == 0 || comparePos(rec.Pos, first.Pos) < 0 {
			first = rec
		}
		n++
	}
	first.Dups = n - 1
	emit(first)
}

func dropKey(_ string, rec AnchorRec) AnchorRec { return rec }

// writeAnchorsFn writes the anchors in input order and emits their counts.
type writeAnchorsFn struct {
	Path string
	// Export is the layout; its counts are reported unless it is drift.
	Export string
}

func (f *writeAnchorsFn) ProcessElement(ctx context.Context, _ int, recs func(*AnchorRec) bool, emitStats func(RunStats)) error {
	var all []AnchorRec
	var rec AnchorRec
	for recs(&rec) {
		if rec.Pos.Shard >= 0 {
			all = append(all, rec)
		}
	}
	slices.SortFunc(all, func(a, b AnchorRec) int { return comparePos(a.Pos, b.Pos) })
	st := dsat.NewStats()
	if f.Export != "" && f.Export != string(export.FormatDRIFT) {
		st.Export = &dsat.ExportStats{Format: f.Export}
	}
	err := writeFile(ctx, f.Path, func(w io.Writer) error {
		for _, a := range all {
			st.Duplicates += a.Dups
			if !a.Exported {
				st.Dropped[dsat.SkipNoChosen]++
				continue
			}
			if st.Export != nil {
				st.Export.Add(&a.Export)
			}
			if _, err := w.Write(a.Line); err != nil {
				return err
			}
			st.Anchors++
			if a.Chosen {
				st.Pairs++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	emitStats(RunStats{S: *st})
	return nil
}

// writeEventsFn writes the events in input order.
type writeEventsFn struct {
	Path string
}

func (f *writeEventsFn) ProcessElement(ctx context.Context, _ int, recs func(*EventRec) bool) error {
	var all []EventRec
	var rec EventRec
	for recs(&rec) {
		if rec.Pos.Shard >= 0 {
			all = append(all, rec)
		}
	}
	slices.SortFunc(all, func(a, b EventRec) int { return comparePos(a.Pos, b.Pos) })
	return writeFile(ctx, f.Path, func(w io.Writer) error {
		for _, e := range all {
			if _, err := w.Write(e.Line); err != nil {
				return err
			}
		}
		return nil
	})
}

// statsCombineFn merges run statistics with dsat.Stats.Merge.
type statsCombineFn struct{}

func (statsCombineFn) CreateAccumulator() RunStats { return RunStats{S: *dsat.NewStats()} }

func (statsCombineFn) MergeAccumulators(a, b RunStats) RunStats {
	if a.S.Events == nil {
		a.S = *dsat.NewStats()
	}
	a.S.Merge(&b.S)
	return a
}

// writeStatsFn writes the merged statistics as `dsatmine mine --stats` does.
type writeStatsFn struct {
	Path string
}

func (f *writeStatsFn) ProcessElement(ctx context.Context, st RunStats) error {
	b, err := jsonx.MarshalIndent(&st.S, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(ctx, f.Path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// writeFile writes one output file through the Beam file system of path.
func writeFile(ctx context.Context, name string, write func(io.Writer) error) error {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, name)
	if err != nil {
		return fmt.Errorf("beam: create %s: %w", name, err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := write(bw); err != nil {
		w.Close()
		return fmt.Errorf("beam: write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		w.Close()
		return fmt.Errorf("beam: write %s: %w", name, err)
	}
	return w.Close()
}
