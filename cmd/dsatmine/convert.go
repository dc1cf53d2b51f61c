package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/spf13/cobra"
)

func init() {
	rootCmd.AddCommand(newConvertCmd())
}

func newConvertCmd() *cobra.Command {
	var (
		flags readFlags
		out   string
	)
	cmd := &cobra.Command{
		Use:   "convert INPUT... -o OUT.jsonl",
		Short: "Convert chat logs of any supported format to normalised JSON Lines",
		Long: `convert reads the inputs (any supported format and container; "-" is standard
input; a directory stands for the chat-log files below it) and writes every conversation as one line of normalised JSON: the OpenAI
messages form plus id, source, model, language, timestamp and metadata.
Without -o (or with -o -) it writes to standard output. A summary of what was
read goes to standard error; when no conversation could be read, the exit
status is 3. Preference records become their prompt and preferred reply;
UltraFeedback records their instruction and best-rated completion.`,
		Args:          cobra.MinimumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			var dst io.Writer = cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer func() {
					if cerr := f.Close(); err == nil {
						err = cerr
					}
				}()
				dst = f
			}
			w := conversation.NewWriter(dst)
			stats, skippedFiles, err := flags.forEachConversation(cmd.Context(), args, w.Write)
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			var none *nothingReadError
			if err != nil && !errors.As(err, &none) {
				return err
			}
			reportSkippedFiles(cmd.ErrOrStderr(), skippedFiles)
			var skipped int64
			for _, n := range stats.Skipped {
				skipped += n
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "converted %d conversations from %d records (%d skipped)\n",
				stats.Conversations, stats.Records, skipped)
			return err
		},
	}
	flags.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", `output file ("-" or empty: standard output)`)
	return cmd
}
