// Package badinput loads the bad-input corpus (testdata/badinput) that the
// reliability tests walk: its MANIFEST.tsv and the inputs that are generated
// at run time instead of being committed.
package badinput

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Entry is one line of MANIFEST.tsv.
type Entry struct {
	// File is the name of the input inside the corpus directory.
	File string
	// Reason is the ParseError reason of the first error in strict mode, or
	// "" when strict reading succeeds ("-" in the manifest).
	Reason string
	// Line and Row locate that error (0: no location; -1: depends on where a
	// broken compressed stream stopped).
	Line, Row int
	// Good is the number of conversations a lenient reader yields (-1:
	// depends on where a broken stream stopped); Skipped the records it skips.
	Good, Skipped int
	// Note says what is wrong with the input.
	Note string
	// Generated is set for inputs that are produced by Open at run time
	// rather than stored in the corpus.
	Generated bool
}

// Dir returns the corpus directory, found from the working directory upwards.
func Dir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		d := filepath.Join(dir, "testdata", "badinput")
		if _, err := os.Stat(filepath.Join(d, "MANIFEST.tsv")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("badinput: testdata/badinput/MANIFEST.tsv not found")
		}
		dir = parent
	}
}

// Load reads the manifest of the corpus in dir.
func Load(dir string) ([]Entry, error) {
	b, err := os.ReadFile(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return nil, err
	}
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("badinput: MANIFEST.tsv:%d: %d fields, want 7", n, len(f))
		}
		e := Entry{File: f[0], Reason: f[1], Note: f[6]}
		if e.Reason == "-" {
			e.Reason = ""
		}
		for i, p := range []*int{&e.Line, &e.Row, &e.Good, &e.Skipped} {
			v, err := strconv.Atoi(f[2+i])
			if err != nil {
				return nil, fmt.Errorf("badinput: MANIFEST.tsv:%d: field %d: %w", n, 3+i, err)
			}
			*p = v
		}
		_, err := os.Stat(filepath.Join(dir, e.File))
		e.Generated = os.IsNotExist(err) && generated[e.File] != nil
		if err != nil && !e.Generated {
			return nil, fmt.Errorf("badinput: MANIFEST.tsv:%d: %w", n, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// Open returns the content of the entry: the stored file or, for a generated
// entry, a reader that produces it without holding it in memory.
func Open(dir string, e Entry) (io.ReadCloser, error) {
	if e.Generated {
		return io.NopCloser(generated[e.File]()), nil
	}
	return os.Open(filepath.Join(dir, e.File))
}

// Good and Bad are the records the generated inputs put around their bad
// part: OpenAI-format conversations with ids g1 and g3.
const (
	Good1 = `{"id":"g1","messages":[{"role":"user","content":"Write a haiku about rain."},{"role":"assistant","content":"Rain taps on the roof."},{"role":"user","content":"No, that's wrong. It should have three lines."}]}`
	Good3 = `{"id":"g3","messages":[{"role":"user","content":"Write a haiku about rain."},{"role":"assistant","content":"Rain taps on the roof."},{"role":"user","content":"Thanks, that works."}]}`
)

var generated = map[string]func() io.Reader{
	"100mb-line.jsonl": func() io.Reader {
		return HugeLine(Good1+"\n"+`{"id":"b2","messages":[{"role":"user","content":"`, 100<<20, `"}]}`+"\n"+Good3+"\n")
	},
}

// HugeLine returns a reader of prefix, then n bytes of 'a', then suffix. It
// uses a fixed 64 KiB buffer whatever n is.
func HugeLine(prefix string, n int64, suffix string) io.Reader {
	return io.MultiReader(strings.NewReader(prefix), io.LimitReader(repeatA{}, n), strings.NewReader(suffix))
}

var aaaa = bytes.Repeat([]byte("a"), 64<<10)

type repeatA struct{}

func (repeatA) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], aaaa)
	}
	return n, nil
}

// PeakRSS returns the process's peak resident set size (VmHWM) in bytes, and
// false where /proc/self/status is not available.
func PeakRSS() (uint64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}
