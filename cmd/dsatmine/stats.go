package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/ultrafeedback"
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
	cmd.Flags().StringVar(&f.format, "format", "auto", "input format: auto, "+strings.Join(formatNames(), ", "))
	cmd.Flags().BoolVar(&f.strict, "strict", false, "stop at the first bad record instead of skipping it")
}

// formatNames lists the concrete --format values: the chat-log formats and
// ultrafeedback.
func formatNames() []string {
	names := make([]string, 0, len(conversation.Formats)+1)
	for _, f := range conversation.Formats {
		names = append(names, string(f))
	}
	return append(names, string(ultrafeedback.Format))
}

// parseInputFormat parses --format: a chat-log format, or ultrafeedback
// (uf true).
func parseInputFormat(s string) (f conversation.Format, uf bool, err error) {
	if isUltraFeedbackFormat(s) {
		return conversation.FormatAuto, true, nil
	}
	f, err = conversation.ParseFormat(s)
	if err != nil {
		return f, false, fmt.Errorf("unknown format %q (want auto or one of %s): %w",
			s, strings.Join(formatNames(), ", "), conversation.ErrUnknownFormat)
	}
	return f, false, nil
}

// forEachConversation reads every input in turn (directories and patterns
// expanded, see expandInputs) and calls fn for each conversation. It returns
// the statistics merged over all inputs and the files of input directories
// that were not read. UltraFeedback inputs (--format ultrafeedback, or
// detected in every input) give one conversation per record: the
// instruction and its best-rated completion. A run in which no conversation
// could be read ends in a *nothingReadError, in lenient mode too.
func (f *readFlags) forEachConversation(ctx context.Context, args []string,
	fn func(*conversation.Conversation) error) (conversation.ReadStats, []string, error) {
	total := conversation.ReadStats{Skipped: map[string]int64{}, Formats: map[string]int64{}}
	format, _, err := parseInputFormat(f.format)
	if err != nil {
		return total, nil, err
	}
	inputs, skippedFiles, err := expandInputs(args)
	if err != nil {
		return total, nil, err
	}
	uf, err := synthetic(f.format, inputs)
	if err != nil {
		return total, skippedFiles, err
	}
	var rec skipRecorder
	for _, in := range inputs {
		var st conversation.ReadStats
		if uf {
			st, err = f.readUltraFeedback(ctx, in, &rec, fn)
		} else {
			st, err = f.readLog(ctx, in, format, &rec, fn)
		}
		total.Merge(st)
		if err != nil {
			return total, skippedFiles, err
		}
	}
	if total.Conversations == 0 {
		return total, skippedFiles, &nothingReadError{records: total.Records, skipped: total.Skipped, first: rec.first}
	}
	return total, skippedFiles, nil
}

// readLog reads one chat-log input.
func (f *readFlags) readLog(ctx context.Context, in string, format conversation.Format, rec *skipRecorder,
	fn func(*conversation.Conversation) error) (conversation.ReadStats, error) {
	r, err := conversation.Open(in)
	if err != nil {
		return conversation.ReadStats{}, err
	}
	r.Format = format
	r.Strict = f.strict
	r.OnSkip = rec.onSkip
	for {
		c, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			err = fn(c)
		}
		if err != nil {
			r.Close()
			return r.Stats(), err
		}
	}
	st := r.Stats()
	if err := r.Close(); err != nil {
		return st, fmt.Errorf("%s: %w", in, err)
	}
	return st, nil
}

// readUltraFeedback reads one UltraFeedback input as conversations.
func (f *readFlags) readUltraFeedback(ctx context.Context, in string, rec *skipRecorder,
	fn func(*conversation.Conversation) error) (conversation.ReadStats, error) {
	r, err := ultrafeedback.Open(in)
	if err != nil {
		return conversation.ReadStats{}, err
	}
	defer r.Close()
	r.Strict = f.strict
	r.OnSkip = rec.onSkip
	var convs, msgs, follow int64
	stats := func() conversation.ReadStats {
		st := r.Stats()
		st.Conversations, st.Messages, st.FollowUps = convs, msgs, follow
		return st
	}
	for {
		u, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return stats(), err
		}
		c := ultraFeedbackConversation(u)
		convs++
		msgs += int64(len(c.Messages))
		if err := fn(c); err != nil {
			return stats(), err
		}
	}
	return stats(), nil
}

// ultraFeedbackConversation is the conversation of an UltraFeedback record:
// the instruction and its best-rated completion (by overall score, else the
// fine-grained score; the first on ties), with that completion's model and
// score and the lowest-rated completion kept as rejected_reply.
func ultraFeedbackConversation(u *ultrafeedback.Record) *conversation.Conversation {
	score := func(c *ultrafeedback.Completion) (float64, bool) {
		if c.OverallScore.Valid {
			return c.OverallScore.Value, true
		}
		s := c.FineGrained()
		return s.Value, s.Valid
	}
	best, worst := 0, -1
	bestScore, worstScore, rated := 0.0, 0.0, false
	for i := range u.Completions {
		s, ok := score(&u.Completions[i])
		if !ok {
			continue
		}
		if !rated || s > bestScore {
			best, bestScore = i, s
		}
		if !rated || s < worstScore {
			worst, worstScore = i, s
		}
		rated = true
	}
	top := u.Completions[best]
	c := &conversation.Conversation{
		ID: u.ID, Source: string(ultrafeedback.Format), Model: top.Model, Location: u.Location,
		Messages: []conversation.Message{
			{Role: conversation.User, Content: u.Instruction},
			{Role: conversation.Assistant, Content: top.Response, Index: 1},
		},
		Metadata: map[string]any{"completion_index": best},
	}
	if rated {
		c.Metadata["score"] = bestScore
		if worst != best {
			c.Metadata["rejected_reply"] = u.Completions[worst].Response
		}
	}
	if u.Source != "" {
		c.Metadata["instruction_source"] = u.Source
	}
	return c
}

func newStatsCmd() *cobra.Command {
	var flags readFlags
	cmd := &cobra.Command{
		Use:   "stats INPUT...",
		Short: "Parse chat logs and print record, conversation and skip counts as one JSON object",
		Long: `stats parses the inputs (any supported format and container; "-" is standard
input; a directory stands for the chat-log files below it) without mining them and prints one JSON object with the counts merged
over all inputs: records, conversations, messages, follow_ups, empty_messages,
skipped (reason -> records) and formats (format -> records).

In lenient mode (the default) bad records are skipped and counted; with
--strict the first bad record stops the run with its file, line and reason.
When no conversation could be read at all, the counts are printed, the skip
reasons go to standard error and the exit status is 3.`,
		Args:          cobra.MinimumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			stats, skippedFiles, err := flags.forEachConversation(cmd.Context(), args,
				func(*conversation.Conversation) error { return nil })
			var none *nothingReadError
			if err != nil && !errors.As(err, &none) {
				return err
			}
			reportSkippedFiles(cmd.ErrOrStderr(), skippedFiles)
			out := struct {
				conversation.ReadStats
				SkippedFiles int `json:"skipped_files,omitempty"`
			}{stats, len(skippedFiles)}
			b, merr := jsonx.MarshalIndent(out, "", "  ")
			if merr != nil {
				return merr
			}
			if _, werr := fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b); werr != nil {
				return werr
			}
			return err
		},
	}
	flags.register(cmd)
	return cmd
}
