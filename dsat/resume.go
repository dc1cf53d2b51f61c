package dsat

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/atomicfile"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// ManifestVersion is the version of the manifest file layout.
const ManifestVersion = 1

// ErrManifest is returned (wrapped) when a resume manifest cannot be used.
var ErrManifest = errors.New("dsat: unusable resume manifest")

// Manifest records the inputs of a resumable run that were mined to the
// end (see Miner.RunResumable). It is stored as JSON; its part files live in
// the directory PartsDir(path) beside it.
type Manifest struct {
	Version int             `json:"version"`
	Inputs  []ManifestEntry `json:"inputs"`
}

// ManifestEntry says that one input, as it was when it was mined, was mined
// completely with one configuration, and where the result is.
type ManifestEntry struct {
	// Input is the absolute path of the input file; Size and ModTime
	// identify its content.
	Input   string    `json:"input"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	// ConfigHash is the Miner.Fingerprint the input was mined with.
	ConfigHash string `json:"config_hash"`
	// Part is the base name of the part files in the parts directory:
	// Part+".events.jsonl", Part+".anchors.jsonl" (DRIFT layout, not
	// deduplicated) and Part+".stats.json".
	Part string `json:"part"`
}

// PartsDir returns the directory that holds the part files of the manifest
// at path.
func PartsDir(manifest string) string { return manifest + ".parts" }

// LoadManifest reads the manifest at path. A missing file is an empty
// manifest.
func LoadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Manifest{Version: ManifestVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := jsonx.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrManifest, path, err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("%w: %s has version %d, want %d", ErrManifest, path, m.Version, ManifestVersion)
	}
	return &m, nil
}

// Save writes the manifest to path atomically.
func (m *Manifest) Save(path string) error {
	b, err := jsonx.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

// Lookup returns the entry recorded for e.Input if it matches e's size,
// modification time and configuration hash.
func (m *Manifest) Lookup(e ManifestEntry) (ManifestEntry, bool) {
	for _, x := range m.Inputs {
		if x.Input == e.Input && x.Size == e.Size && x.ModTime.Equal(e.ModTime) && x.ConfigHash == e.ConfigHash {
			return x, true
		}
	}
	return ManifestEntry{}, false
}

// record adds e, replacing any entry for the same input.
func (m *Manifest) record(e ManifestEntry) {
	m.Inputs = slices.DeleteFunc(m.Inputs, func(x ManifestEntry) bool { return x.Input == e.Input })
	m.Inputs = append(m.Inputs, e)
	slices.SortFunc(m.Inputs, func(a, b ManifestEntry) int {
		if a.Input < b.Input {
			return -1
		}
		if a.Input > b.Input {
			return 1
		}
		return 0
	})
}

// Fingerprint returns a hash of everything in the miner's configuration that
// changes which events and anchors it finds: thresholds and policies, the
// engine's and classifier's names and versions, the extra detectors, the
// cascade band and the token budget, followed by extra (callers add what
// the miner cannot see, such as reader options or a model file's identity).
// Dedup and Workers are not part of it: they do not change a part.
func (m *Miner) Fingerprint(extra ...string) string {
	h := sha256.New()
	c := &m.cfg
	fmt.Fprintf(h, "v%d\x00%s\x00", ManifestVersion, m.version)
	for _, cat := range heuristics.Categories {
		fmt.Fprintf(h, "%s=%g\x00", cat, c.Thresholds[cat])
	}
	fmt.Fprintf(h, "doubt=%t/%g pushback=%t ext=%t sat=%g min=%g max=%d clf=%g\x00",
		c.DoubtAnchors, c.DoubtWeight, c.PushbackAnchors, c.CountExtensions, c.SATThreshold,
		c.MinScore, c.MaxAnchorsPerConversation, c.ClassifierThreshold)
	for _, d := range m.detectors {
		fmt.Fprintf(h, "detector=%s\x00", d.Name())
	}
	if c.ClassifierVeto != 0 {
		fmt.Fprintf(h, "veto=%g\x00", c.ClassifierVeto)
	}
	if c.Cascade != nil {
		fmt.Fprintf(h, "cascade=%g/%g\x00", c.Cascade.Low, c.Cascade.High)
	}
	if c.JudgeBand != nil {
		fmt.Fprintf(h, "judge-band=%g/%g\x00", c.JudgeBand.Low, c.JudgeBand.High)
	}
	if c.Tokens != nil {
		fmt.Fprintf(h, "tokens=%+v\x00", *c.Tokens)
	}
	if c.DRIFTPairing {
		fmt.Fprintf(h, "drift-pairing\x00")
	}
	if c.Desirable {
		fmt.Fprintf(h, "desirable\x00")
	}
	for _, e := range extra {
		fmt.Fprintf(h, "extra=%q\x00", e)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ResumeOptions configure Miner.RunResumable.
type ResumeOptions struct {
	// Manifest is the path of the manifest file; it is created if missing.
	Manifest string
	// ConfigHash identifies the configuration; "" means m.Fingerprint().
	ConfigHash string
	// Open opens an input file for reading. The closer is called when the
	// input has been mined.
	Open func(path string) (Input, io.Closer, error)
	// OnReuse, if set, is called for every input whose part is reused.
	OnReuse func(path string)
}

// RunResumable mines the input files like Run, but can be stopped and run
// again: each input is mined on its own into part files, which are
// committed atomically and recorded in the manifest (input path + size +
// modification time + configuration hash -> part) before the next input
// starts. An input whose manifest entry still matches is not read again.
// When every input is complete, the parts are merged in input order into
// out, deduplicating anchors across the whole run as Run does, so a run
// resumed any number of times writes the same events and anchors, and
// returns the same statistics, as an uninterrupted Run over the same inputs.
//
// On an error (a strict reader's *conversation.ParseError, ctx's error, an
// I/O error) the inputs completed so far stay recorded; the returned
// statistics cover the input that failed only.
func (m *Miner) RunResumable(ctx context.Context, paths []string, opt ResumeOptions, out Sinks) (*Stats, error) {
	if opt.Manifest == "" || opt.Open == nil {
		return nil, fmt.Errorf("%w: RunResumable needs a manifest path and an Open function", ErrManifest)
	}
	hash := opt.ConfigHash
	if hash == "" {
		hash = m.Fingerprint()
	}
	man, err := LoadManifest(opt.Manifest)
	if err != nil {
		return nil, err
	}
	dir := PartsDir(opt.Manifest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	parts := make([]ManifestEntry, 0, len(paths))
	for _, p := range paths {
		want, err := identify(p, hash)
		if err != nil {
			return nil, err
		}
		if e, ok := man.Lookup(want); ok && partComplete(dir, e.Part) {
			if opt.OnReuse != nil {
				opt.OnReuse(p)
			}
			parts = append(parts, e)
			continue
		}
		want.Part = partName(want)
		if st, err := m.minePart(ctx, p, dir, want.Part, opt.Open); err != nil {
			return st, err
		}
		man.record(want)
		if err := man.Save(opt.Manifest); err != nil {
			return nil, err
		}
		parts = append(parts, want)
	}
	return m.mergeParts(dir, parts, out)
}

// identify returns the manifest identity of the input at path.
func identify(path, hash string) (ManifestEntry, error) {
	if path == "-" {
		return ManifestEntry{}, fmt.Errorf("%w: standard input cannot be resumed", ErrManifest)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ManifestEntry{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return ManifestEntry{}, err
	}
	return ManifestEntry{Input: abs, Size: fi.Size(), ModTime: fi.ModTime().UTC(), ConfigHash: hash}, nil
}

// partName derives the part name from the input's path, identity and
// configuration, so that a changed input never reuses an old part name.
func partName(e ManifestEntry) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%s", e.Input, e.Size, e.ModTime.UnixNano(), e.ConfigHash))
	base := filepath.Base(e.Input)
	if len(base) > 40 {
		base = base[:40]
	}
	return base + "-" + hex.EncodeToString(h[:8])
}

const (
	partEvents  = ".events.jsonl"
	partAnchors = ".anchors.jsonl"
	partStats   = ".stats.json"
)

func partComplete(dir, part string) bool {
	for _, suffix := range []string{partEvents, partAnchors, partStats} {
		if _, err := os.Stat(filepath.Join(dir, part+suffix)); err != nil {
			return false
		}
	}
	return true
}

// minePart mines one input into its part files. The parts are written
// without dedup; RunResumable deduplicates when it merges them.
func (m *Miner) minePart(ctx context.Context, path, dir, part string, open func(string) (Input, io.Closer, error)) (*Stats, error) {
	in, closer, err := open(path)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	files := make([]*atomicfile.File, 0, 3)
	defer func() {
		for _, f := range files {
			f.Abort()
		}
	}()
	create := func(suffix string) (*atomicfile.File, *bufio.Writer, error) {
		f, err := atomicfile.Create(filepath.Join(dir, part+suffix))
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f)
		return f, bufio.NewWriterSize(f, 1<<16), nil
	}
	_, evw, err := create(partEvents)
	if err != nil {
		return nil, err
	}
	_, anw, err := create(partAnchors)
	if err != nil {
		return nil, err
	}
	pm := *m
	pm.cfg.Dedup = false
	aw := NewAnchorWriter(anw, ExportDRIFT)
	aw.parts = true // desirable records are kept for the final export
	st, runErr := pm.Run(ctx, []Input{in}, Sinks{Events: NewEventWriter(evw), Anchors: aw})
	if runErr != nil {
		return st, runErr
	}
	stb, err := jsonx.Marshal(st)
	if err != nil {
		return st, err
	}
	_, stw, err := create(partStats)
	if err != nil {
		return st, err
	}
	if _, err := stw.Write(stb); err != nil {
		return st, err
	}
	for i, w := range []*bufio.Writer{evw, anw, stw} {
		if err := w.Flush(); err != nil {
			return st, err
		}
		if err := files[i].Commit(); err != nil {
			return st, err
		}
	}
	return st, nil
}

// mergeParts writes the parts, in order, to out and returns the run's
// statistics.
func (m *Miner) mergeParts(dir string, parts []ManifestEntry, out Sinks) (*Stats, error) {
	st := m.NewStats()
	seen := map[[16]byte]struct{}{}
	for _, e := range parts {
		base := filepath.Join(dir, e.Part)
		b, err := os.ReadFile(base + partStats)
		if err != nil {
			return st, err
		}
		ps := NewStats()
		if err := jsonx.Unmarshal(b, ps); err != nil {
			return st, fmt.Errorf("%w: part %s: %v", ErrManifest, e.Part, err)
		}
		// Anchor counts depend on dedup and the export format: they are
		// counted again below.
		ps.Anchors, ps.Pairs, ps.Duplicates, ps.Export = 0, 0, 0, nil
		delete(ps.Skipped, SkipNoChosen)
		if ps.Classifier != nil {
			ps.Classifier.Details = nil
		}
		st.Merge(ps)
		if out.Events != nil {
			err := eachLine(base+partEvents, func(line []byte) error {
				var ev Event
				if err := jsonx.Unmarshal(line, &ev); err != nil {
					return err
				}
				return out.Events.WriteEvent(&ev)
			})
			if err != nil {
				return st, err
			}
		}
		err = eachLine(base+partAnchors, func(line []byte) error {
			var a Anchor
			if err := jsonx.Unmarshal(line, &a); err != nil {
				return err
			}
			if a.Desirable {
				return writeDesirable(out.Anchors, []Anchor{a}, m.cfg.Dedup, seen, st)
			}
			if m.cfg.Dedup {
				k := DedupKey(&a)
				if _, dup := seen[k]; dup {
					st.Duplicates++
					return nil
				}
				seen[k] = struct{}{}
			}
			if out.Anchors != nil {
				err := out.Anchors.WriteAnchor(&a)
				if errors.Is(err, ErrNotExported) {
					st.Skipped[SkipNoChosen]++
					return nil
				}
				if err != nil {
					return err
				}
			}
			st.Anchors++
			if len(a.Chosen) > 0 {
				st.Pairs++
			}
			return nil
		})
		if err != nil {
			return st, err
		}
		syncExport(out.Anchors, st)
		if out.Progress != nil {
			out.Progress(st)
		}
	}
	return st, nil
}

// eachLine calls fn with every line of the file at path.
func eachLine(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if ferr := fn(line); ferr != nil {
				return fmt.Errorf("%s: %w", path, ferr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
