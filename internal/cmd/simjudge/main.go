// Command simjudge serves the simulated LLM judge of internal/simjudge on a
// local port, for reproducing the README's judge measurements:
//
//	go run ./internal/cmd/simjudge -labels FILE.jsonl -accuracy 0.9 -addr 127.0.0.1:8089
//
// then point dsatmine at it with --judge-endpoint http://127.0.0.1:8089/v1
// --judge-model sim. It answers every follow-up from the labels of FILE
// (repeat -labels for several files), flipping the DSAT verdict of a
// hash-chosen 1-accuracy share of them. On SIGINT or SIGTERM it prints
// what it answered to standard error and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/internal/simjudge"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "simjudge:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		labels files
		opts   simjudge.Options
		addr   string
	)
	flag.Var(&labels, "labels", "labelled conversations to answer from (JSON Lines; repeatable)")
	flag.Float64Var(&opts.Accuracy, "accuracy", 0.9, "share of follow-ups answered as labelled; the rest get the opposite DSAT verdict")
	flag.Uint64Var(&opts.Seed, "seed", 0, "changes which follow-ups are answered wrongly")
	flag.StringVar(&addr, "addr", "127.0.0.1:8089", "address to listen on")
	flag.Parse()
	if len(labels) == 0 {
		return errors.New("give at least one -labels FILE")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ls, err := simjudge.Load(ctx, labels...)
	if err != nil {
		return err
	}
	j, err := simjudge.New(ls, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "simjudge: %d labelled follow-ups, accuracy %.2f, serving http://%s/v1\n", j.Len(), opts.Accuracy, ln.Addr())
	srv := &http.Server{Handler: j, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	b, _ := jsonx.Marshal(j.Stats())
	fmt.Fprintf(os.Stderr, "simjudge: %s\n", b)
	return err
}
