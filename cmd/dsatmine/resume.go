package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/resume"
)

// Flags that do not change what a resumed part holds: outputs, layout and
// run-wide dedup are applied when the parts are merged, and the worker
// count never changes the output.
var resumeNeutralFlags = []string{"output", "events", "stats", "export", "no-dedup", "workers", "resume", "help"}

// resumeHash is the configuration hash of a resumable mine run: the miner's
// fingerprint plus every other flag that was set, and the identity of a
// classifier model file.
func resumeHash(cmd *cobra.Command, m *dsat.Miner) string {
	var extra []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if slices.Contains(resumeNeutralFlags, f.Name) {
			return
		}
		extra = append(extra, f.Name+"="+f.Value.String())
		if f.Name == "classifier" && f.Value.String() != "" {
			if fi, err := os.Stat(f.Value.String()); err == nil {
				extra = append(extra, fmt.Sprintf("classifier-file=%d/%d", fi.Size(), fi.ModTime().UnixNano()))
			}
		}
	})
	slices.Sort(extra)
	return m.Fingerprint(extra...)
}

// mineResumable runs m over the input files with a resume manifest: inputs
// completed by an earlier run with the same configuration are not read
// again, and the merged output equals that of an uninterrupted run.
func mineResumable(cmd *cobra.Command, m *dsat.Miner, paths []string, manifest string,
	format conversation.Format, strict bool, sinks dsat.Sinks) (*dsat.Stats, error) {
	stderr := cmd.ErrOrStderr()
	return resume.Run(cmd.Context(), m, paths, resume.Options{
		Manifest:   manifest,
		ConfigHash: resumeHash(cmd, m),
		Open: func(path string) (dsat.Input, io.Closer, error) {
			r, err := conversation.Open(path)
			if err != nil {
				return nil, nil, err
			}
			r.Format = format
			r.Strict = strict
			return r, r, nil
		},
		OnReuse: func(path string) {
			fmt.Fprintf(stderr, "resume: %s is complete in %s; not read again\n", path, manifest)
		},
	}, sinks)

}

// commitMine publishes the outputs of a successful mine run (anchors,
// events, statistics; each renamed into place after a sync) and prints the
// one-line summary.
func commitMine(cmd *cobra.Command, st *dsat.Stats, anchorsOut, eventsOut *output, statsPath, out string) error {
	if err := anchorsOut.commit(); err != nil {
		return err
	}
	if eventsOut != nil {
		if err := eventsOut.commit(); err != nil {
			return err
		}
	}
	if statsPath != "" {
		if err := writeJSONFile(statsPath, cmd.OutOrStdout(), st); err != nil {
			return err
		}
	}
	fmt.Fprintln(cmd.ErrOrStderr(), summary(st, out))
	return nil
}
