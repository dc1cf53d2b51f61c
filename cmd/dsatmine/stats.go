package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/spf13/cobra"
)

func init() {
	rootCmd.AddCommand(newStatsCmd())
}

// readFlags are the input options shared by the commands that read logs.
type readFlags struct {
	format string
	strict bool
}

func (f *readFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.format, "format", "auto",
		"input format: auto, openai, sharegpt, wildchat, lmsys, hh-rlhf, oasst, chatgpt-export")
	cmd.Flags().BoolVar(&f.strict, "strict", false, "stop at the first bad record instead of skipping it")
}

// forEachConversation reads every input in turn and calls fn for each
// conversation. It returns the statistics merged over all inputs.
func (f *readFlags) forEachConversation(ctx context.Context, inputs []string,
	fn func(*conversation.Conversation) error) (conversation.ReadStats, error) {
	total := conversation.ReadStats{Skipped: map[string]int64{}, Formats: map[string]int64{}}
	format, err := conversation.ParseFormat(f.format)
	if err != nil {
		return total, err
	}
	for _, in := range inputs {
		r, err := conversation.Open(in)
		if err != nil {
			return total, err
		}
		r.Format = format
		r.Strict = f.strict
		for {
			c, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				total.Merge(r.Stats())
				r.Close()
				return total, err
			}
			if err := fn(c); err != nil {
				total.Merge(r.Stats())
				r.Close()
				return total, err
			}
		}
		total.Merge(r.Stats())
		if err := r.Close(); err != nil {
			return total, fmt.Errorf("%s: %w", in, err)
		}
	}
	return total, nil
}

func newStatsCmd() *cobra.Command {
	var flags readFlags
	cmd := &cobra.Command{
		Use:   "stats INPUT...",
		Short: "Parse chat logs and print record, conversation and skip counts as one JSON object",
		Long: `stats parses the inputs (any supported format and container; "-" is standard
input) without mining them and prints one JSON object with the counts merged
over all inputs: records, conversations, messages, follow_ups, empty_messages,
skipped (reason -> records) and formats (format -> records).

In lenient mode (the default) bad records are skipped and counted; with
--strict the first bad record stops the run with its file, line and reason.`,
		Args:          cobra.MinimumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			stats, err := flags.forEachConversation(cmd.Context(), args,
				func(*conversation.Conversation) error { return nil })
			if err != nil {
				return err
			}
			b, err := jsonx.MarshalIndent(stats, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
			return err
		},
	}
	flags.register(cmd)
	return cmd
}
