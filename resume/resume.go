package resume

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

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/internal/atomicfile"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// ManifestVersion is the version of the manifest file layout.
const ManifestVersion = 1

// ErrManifest is returned (wrapped) when a resume manifest cannot be used.
var ErrManifest = errors.New("resume: unusable manifest")

// Manifest records the inputs of a resumable run that were mined to the
// end (see Run). It is stored as JSON; its part files live in
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

// Options configure Run.
type Options struct {
	// Manifest is the path of the manifest file; it is created if missing.
	Manifest string
	// ConfigHash identifies the configuration; "" means m.Fingerprint().
	ConfigHash string
	// Open opens an input file for reading. The closer is called when the
	// input has been mined.
	Open func(path string) (dsat.Input, io.Closer, error)
	// OnReuse, if set, is called for every input whose part is reused.
	OnReuse func(path string)
}

// Run mines the input files with m like Miner.Run, but can be stopped and run
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
func Run(ctx context.Context, m *dsat.Miner, paths []string, opt Options, out dsat.Sinks) (*dsat.Stats, error) {
	if opt.Manifest == "" || opt.Open == nil {
		return nil, fmt.Errorf("%w: Run needs a manifest path and an Open function", ErrManifest)
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
		if st, err := minePart(ctx, m, p, dir, want.Part, opt.Open); err != nil {
			return st, err
		}
		man.record(want)
		if err := man.Save(opt.Manifest); err != nil {
			return nil, err
		}
		parts = append(parts, want)
	}
	return mergeParts(m, dir, parts, out)
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
// without dedup; Run deduplicates when it merges them.
func minePart(ctx context.Context, m *dsat.Miner, path, dir, part string, open func(string) (dsat.Input, io.Closer, error)) (*dsat.Stats, error) {
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
	aw := export.NewAnchorWriter(anw, export.FormatDRIFT)
	aw.KeepDesirable = true // desirable records are kept for the final export
	st, runErr := m.WithoutDedup().Run(ctx, []dsat.Input{in}, dsat.Sinks{Events: export.NewEventWriter(evw), Anchors: aw})
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
func mergeParts(m *dsat.Miner, dir string, parts []ManifestEntry, out dsat.Sinks) (*dsat.Stats, error) {
	st := m.NewStats()
	w := m.NewRunWriter(out, st)
	for _, e := range parts {
		base := filepath.Join(dir, e.Part)
		b, err := os.ReadFile(base + partStats)
		if err != nil {
			return st, err
		}
		ps := dsat.NewStats()
		if err := jsonx.Unmarshal(b, ps); err != nil {
			return st, fmt.Errorf("%w: part %s: %v", ErrManifest, e.Part, err)
		}
		// Anchor counts depend on dedup and the export format: they are
		// counted again below.
		ps.Anchors, ps.Pairs, ps.Duplicates, ps.Export = 0, 0, 0, nil
		delete(ps.Dropped, dsat.SkipNoChosen)
		if ps.Classifier != nil {
			ps.Classifier.Details = nil
		}
		st.Merge(ps)
		if out.Events != nil {
			err := eachLine(base+partEvents, func(line []byte) error {
				var ev dsat.Event
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
			var a dsat.Anchor
			if err := jsonx.Unmarshal(line, &a); err != nil {
				return err
			}
			return w.WriteAnchor(&a)
		})
		if err != nil {
			return st, err
		}
		w.Sync()
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
