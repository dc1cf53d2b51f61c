package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
)

// Input arguments of mine, stats and convert: files, "-" for standard
// input, directories (read recursively) and glob patterns.

// containerExts are the file name endings of the containers the readers
// read, before an optional compression suffix.
var (
	containerExts   = []string{".jsonl", ".json", ".ndjson", ".parquet"}
	compressionExts = []string{".gz", ".gzip", ".zst", ".zstd"}
)

// isContainerName reports whether a file name ends like a known container.
func isContainerName(name string) bool {
	name = strings.ToLower(name)
	for _, c := range compressionExts {
		if strings.HasSuffix(name, c) {
			name = strings.TrimSuffix(name, c)
			break
		}
	}
	return slices.ContainsFunc(containerExts, func(ext string) bool { return strings.HasSuffix(name, ext) })
}

// expandInputs turns the input arguments into the files to read, in order.
// A directory stands for every file below it whose name ends like a known
// container (.jsonl, .json, .ndjson or .parquet, optionally .gz or .zst), in
// lexical path order; hidden directories are not entered, and the other files
// are returned in skipped. An argument that names no file but holds glob
// characters is expanded (sorted; directories among the matches as above).
// Files named explicitly, and "-", are always read.
func expandInputs(args []string) (files, skipped []string, err error) {
	for _, a := range args {
		if a == "-" {
			files = append(files, a)
			continue
		}
		fi, statErr := os.Stat(a)
		if statErr != nil {
			if !errors.Is(statErr, fs.ErrNotExist) || !strings.ContainsAny(a, "*?[") {
				files = append(files, a) // opening it reports the problem
				continue
			}
			matches, err := filepath.Glob(a)
			if err != nil {
				return nil, nil, fmt.Errorf("input pattern %q: %w", a, err)
			}
			if len(matches) == 0 {
				return nil, nil, fmt.Errorf("input pattern %q matches no file", a)
			}
			for _, m := range matches {
				f, s, err := expandPath(m, false)
				if err != nil {
					return nil, nil, err
				}
				files, skipped = append(files, f...), append(skipped, s...)
			}
			continue
		}
		if !fi.IsDir() {
			files = append(files, a)
			continue
		}
		f, s, err := expandPath(a, true)
		if err != nil {
			return nil, nil, err
		}
		if len(f) == 0 {
			return nil, nil, fmt.Errorf("directory %s holds no chat-log files (%d other files: names ending in %s, optionally %s, are read)",
				a, len(s), strings.Join(containerExts, ", "), strings.Join(compressionExts, " or "))
		}
		files, skipped = append(files, f...), append(skipped, s...)
	}
	return files, skipped, nil
}

// expandPath returns the files of one path: the path itself when it is a
// file, else the container files below it.
func expandPath(path string, isDir bool) (files, skipped []string, err error) {
	if !isDir {
		fi, err := os.Stat(path)
		if err != nil || !fi.IsDir() {
			return []string{path}, nil, nil
		}
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if isContainerName(d.Name()) {
			files = append(files, p)
		} else {
			skipped = append(skipped, p)
		}
		return nil
	})
	return files, skipped, err
}

// reportSkippedFiles tells the user which files of the input directories
// were not read.
func reportSkippedFiles(w io.Writer, skipped []string) {
	if len(skipped) == 0 {
		return
	}
	shown := skipped
	more := ""
	if len(shown) > 5 {
		shown, more = shown[:5], fmt.Sprintf(", … (%d more)", len(skipped)-5)
	}
	fmt.Fprintf(w, "dsatmine: %d files in the input directories are not chat-log containers and were not read: %s%s\n",
		len(skipped), strings.Join(shown, ", "), more)
}

// exitNothingRead is the exit status of a run in which no conversation
// could be read from the inputs (every record skipped, or no record at all).
const exitNothingRead = 3

// nothingReadError reports a run in which no conversation could be read.
type nothingReadError struct {
	records int64
	skipped map[string]int64
	first   string // the first skipped record's error, if known
}

func (e *nothingReadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no conversation could be read from %d input records", e.records)
	if len(e.skipped) > 0 {
		b.WriteString("; skipped:")
		for _, k := range slices.Sorted(maps.Keys(e.skipped)) {
			if e.skipped[k] > 0 {
				fmt.Fprintf(&b, " %s %d", k, e.skipped[k])
			}
		}
	}
	if e.first != "" {
		b.WriteString("; first: ")
		b.WriteString(e.first)
	}
	return b.String()
}

// nothingMined returns err, or a *nothingReadError when the mine run read
// no conversation (its outputs are written all the same).
func nothingMined(st *dsat.Stats, err error) error {
	if err != nil || st.Conversations > 0 {
		return err
	}
	return &nothingReadError{records: st.Records, skipped: st.ReadSkipped}
}

// skipRecorder keeps the first record a lenient reader skipped.
type skipRecorder struct{ first string }

func (s *skipRecorder) onSkip(pe *conversation.ParseError) {
	if s.first == "" {
		s.first = pe.Error()
	}
}
