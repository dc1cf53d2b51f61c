package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
)

// shardFlag is the value of mine --shard I/N: this process mines shard I
// (0-based) of N.
type shardFlag struct {
	i, n int
}

func (s *shardFlag) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.i, s.n)
}

func (s *shardFlag) Set(v string) error {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return fmt.Errorf("want I/N with 0 <= I < N, for example 0/4; got %q", v)
	}
	s.i, s.n = i, n
	return nil
}

func (s *shardFlag) Type() string { return "I/N" }

// openShardInputs opens shard s.i of s.n of every input: the byte range of a
// plain JSON Lines file that conversation.SplitJSONL assigns to it, or, for
// inputs that cannot be split (compressed, Parquet, JSON arrays), the whole
// file when its position among the inputs is s.i modulo s.n. The union of
// the outputs of the N shards is then the output of one run with --no-dedup.
func openShardInputs(paths []string, s shardFlag, format conversation.Format, strict bool) ([]*input, func(), error) {
	var ins []*input
	closeAll := func() {
		for _, in := range ins {
			in.r.Close()
		}
	}
	for k, p := range paths {
		if p == "-" {
			closeAll()
			return nil, func() {}, errors.New("--shard cannot split standard input")
		}
		var r *conversation.Reader
		shards, err := conversation.SplitJSONL(p, s.n)
		switch {
		case err == nil:
			r, err = conversation.OpenShard(shards[s.i])
		case errors.Is(err, conversation.ErrNotSplittable):
			if k%s.n != s.i {
				continue
			}
			r, err = conversation.Open(p)
		}
		if err != nil {
			closeAll()
			return nil, func() {}, err
		}
		r.Format = format
		r.Strict = strict
		ins = append(ins, &input{name: p, r: r})
	}
	return ins, closeAll, nil
}
