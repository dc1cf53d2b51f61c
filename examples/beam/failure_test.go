//go:build !race

package main

// These tests run pipelines that fail at run time. On that path the Beam Go
// SDK's worker harness (v2.77.0, harness.MainWithOptions) closes a channel
// while another of its goroutines may still send on it: a data race inside
// the SDK, not in this package, which the race detector reports
// intermittently. They run in every build without -race.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPipelineStrictFails(t *testing.T) {
	dir := t.TempDir()
	opts := Options{
		Inputs:  []string{root + "/sample/openai-sample.jsonl", root + "/bad/not-json.jsonl"},
		Anchors: filepath.Join(dir, "anchors.jsonl"),
		Strict:  true,
		Policy:  DefaultPolicy(),
	}
	p, s := beam.NewPipelineWithRoot()
	require.NoError(t, Build(context.Background(), s, opts))
	err := ptest.Run(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not-json.jsonl")
	_, statErr := os.Stat(opts.Anchors)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "no anchors file after a failed run")
}

func TestBuildRejectsMissingInputAtRunTime(t *testing.T) {
	dir := t.TempDir()
	opts := Options{
		Inputs:  []string{filepath.Join(dir, "missing.jsonl")},
		Anchors: filepath.Join(dir, "anchors.jsonl"),
		Policy:  DefaultPolicy(),
	}
	p, s := beam.NewPipelineWithRoot()
	require.NoError(t, Build(context.Background(), s, opts))
	err := ptest.Run(p)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "missing.jsonl") || errors.Is(err, os.ErrNotExist), err.Error())
}
