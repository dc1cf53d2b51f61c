package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeFlag matches a long flag as README writes it.
var readmeFlag = regexp.MustCompile(`(^|[\s\x60(\[])--([a-z][a-z0-9-]*(\.[a-z_]+)?)`)

// foreignCommands start README lines whose flags belong to other programs
// (trainers, the Go tool).
var foreignCommands = []string{"deepspeed", "accelerate", "llamafactory-cli", "go test", "go build", "go vet", "--data.", "--model.", "--ckpt.", "--module", "vllm serve", "llama-server", "chromium --headless"}

// TestREADMEFlagsExist checks every flag README mentions: a flag on a
// "dsatmine SUB" command line must exist on that subcommand, and a flag
// named in prose must exist on at least one dsatmine command.
func TestREADMEFlagsExist(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	all := map[string]bool{}
	subs := map[string]*cobra.Command{}
	for _, c := range rootCmd.Commands() {
		subs[c.Name()] = c
		c.Flags().VisitAll(func(f *pflag.Flag) { all[f.Name] = true })
	}
	rootCmd.Flags().VisitAll(func(f *pflag.Flag) { all[f.Name] = true })
	all["version"], all["help"] = true, true

	checked := 0
	var sub *cobra.Command // the subcommand of a command line and its continuation lines
	for line := range strings.SplitSeq(string(b), "\n") {
		trim := strings.TrimSpace(line)
		if i := strings.Index(trim, "dsatmine "); i >= 0 && (strings.HasPrefix(trim, "dsatmine ") || strings.HasPrefix(trim, "go run ./cmd/dsatmine ") || strings.Contains(trim, "$ dsatmine ") || strings.Contains(trim, "=unused dsatmine ")) {
			name, _, _ := strings.Cut(strings.TrimSpace(trim[i+len("dsatmine "):]), " ")
			sub = subs[name]
		} else if !strings.HasPrefix(trim, "--") && !strings.HasPrefix(trim, "testdata/") {
			sub = nil
		}
		foreign := false
		for _, f := range foreignCommands {
			if strings.Contains(trim, f) {
				foreign = true
			}
		}
		for _, m := range readmeFlag.FindAllStringSubmatch(line, -1) {
			name := m[2]
			if strings.Contains(name, ".") || (foreign && !all[name]) {
				continue
			}
			checked++
			if sub != nil {
				assert.NotNil(t, sub.Flags().Lookup(name), "README: %q has no --%s\n%s", sub.Name(), name, line)
				continue
			}
			assert.True(t, all[name], "README names --%s, which no dsatmine command has\n%s", name, line)
		}
	}
	assert.Greater(t, checked, 60, "the README's flags were found")
}

// TestREADMEThresholdSpec runs the per-category threshold README shows.
func TestREADMEThresholdSpec(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(b), "--threshold complaint=0.6,doubt=0.8"), "README shows the per-category form")
	in := "../../testdata/sample/wildchat-sample.jsonl"
	dir := t.TempDir()
	count := func(args ...string) int {
		out := dir + "/a.jsonl"
		_, _, err := runCmd(t, newMineCmd(), append([]string{in, "-o", out}, args...)...)
		require.NoError(t, err, args)
		return len(readLines(t, out))
	}
	base := count()
	assert.Less(t, count("--threshold", "complaint=1,correction=1,refinement=1,preference=1"), base, "raised thresholds for four categories keep fewer anchors")
	assert.Equal(t, base, count("--threshold", "0.5,preference=0.6,doubt=0.9"), "doubt-only events make no anchors by default")
	assert.GreaterOrEqual(t, count("--threshold", "0.5"), base, "pairs replace the default preference=0.6: a lower bar keeps at least as many")
	assert.Equal(t, count("--threshold", "0.9"), count("--threshold", "0.5,refinement=0.9,correction=0.9,complaint=0.9,preference=0.9,doubt=0.9,pushback=0.9"))
	_, _, err = runCmd(t, newMineCmd(), in, "-o", dir+"/x.jsonl", "--threshold", "complaint=high")
	assert.ErrorContains(t, err, "complaint=high")
	_, _, err = runCmd(t, newMineCmd(), in, "-o", dir+"/x.jsonl", "--threshold", "grumpy=0.5")
	assert.ErrorContains(t, err, "unknown category")
}

// TestVersionFlag checks --version: module, detector version and the
// default model's digest.
func TestVersionFlag(t *testing.T) {
	v := versionString()
	lines := strings.Split(v, "\n")
	require.Len(t, lines, 3, v)
	assert.True(t, strings.HasPrefix(lines[0], "dsatmine "), v)
	assert.Regexp(t, `^detector_version heuristics/\d+\.\d+\.\d+$`, lines[1])
	assert.Regexp(t, `^default model [0-9a-f]{12,}$`, lines[2])
}

// TestAnchorsCarryDetectorVersion checks README's claim that events and
// anchors record detector_version, and that the trainer layouts, which
// carry only their trainer's columns, do not.
func TestAnchorsCarryDetectorVersion(t *testing.T) {
	in := "../../testdata/sample/wildchat-sample.jsonl"
	dir := t.TempDir()
	_, _, err := runCmd(t, newMineCmd(), in, "-o", dir+"/a.jsonl", "--events", dir+"/e.jsonl")
	require.NoError(t, err)
	events, anchors := readLines(t, dir+"/e.jsonl"), readLines(t, dir+"/a.jsonl")
	require.NotEmpty(t, anchors)
	want := events[0]["detector_version"]
	assert.Regexp(t, `^heuristics/\d+\.\d+\.\d+\+logreg@[0-9a-f]{12}$`, want, "the default detector: heuristics and the embedded model")
	for _, a := range anchors {
		assert.Equal(t, want, a["detector_version"], a["id"])
	}
	_, _, err = runCmd(t, newMineCmd(), in, "-o", dir+"/trl.jsonl", "--export", "trl")
	require.NoError(t, err)
	for _, r := range readLines(t, dir+"/trl.jsonl") {
		assert.NotContains(t, r, "detector_version")
	}
}
