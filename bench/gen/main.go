// Command gen writes a deterministic, WildChat-like JSON Lines corpus of a
// given size for dsatmine's benchmarks (see package
// github.com/dsatmine/dsatmine/bench/wildchat for what it contains). The
// same -seed and -size always give the same bytes.
//
// Usage:
//
//	go run ./bench/gen -size 500MB -o bench/corpus/wildchat-500MB.jsonl
//	go run ./bench/gen -real DATA/real/sharegpt-sample.json -copies 18 -o bench/corpus/sharegpt-real-18x.jsonl
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/dsatmine/dsatmine/bench/realcorpus"
	"github.com/dsatmine/dsatmine/bench/wildchat"
)

func main() {
	size := flag.String("size", "100MB", "corpus size: bytes, or a number with a KB, MB or GB suffix (powers of 1000)")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "-", "output file (- for standard output)")
	real := flag.String("real", "", "instead of generating, write this ShareGPT JSON array -copies times as JSON Lines with fresh ids (package bench/realcorpus)")
	copies := flag.Int("copies", realcorpus.DefaultCopies, "with -real: how many times the records are written")
	asParquet := flag.Bool("parquet", false, "with -real: write a Parquet file (columns id, conversations) instead of JSON Lines")
	flag.Parse()
	if *real != "" && *asParquet {
		if err := realcorpus.BuildParquetFile(*out, *real, *copies, 1000); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	if *real != "" {
		if *out == "-" {
			fmt.Fprintln(os.Stderr, "gen: -real needs -o FILE")
			os.Exit(2)
		}
		n, err := realcorpus.BuildFile(*out, *real, *copies)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "gen: %d bytes from %d copies of %s\n", n, *copies, *real)
		return
	}
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
	var w io.Writer = os.Stdout
	var f *os.File
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		w = f
	}
	stats, err := wildchat.Generate(w, n, *seed)
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: %d bytes, %d conversations, %d follow-ups, %d written as dissatisfied (%.1f%%)\n",
		stats.Bytes, stats.Conversations, stats.FollowUps, stats.DSAT, 100*float64(stats.DSAT)/math.Max(1, float64(stats.FollowUps)))
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, suf := range []struct {
		s string
		m int64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(u, suf.s) {
			u, mult = strings.TrimSuffix(u, suf.s), suf.m
			break
		}
	}
	v, err := strconv.ParseFloat(u, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(v * float64(mult)), nil
}
