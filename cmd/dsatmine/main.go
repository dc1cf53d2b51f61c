// Command dsatmine mines implicit user dissatisfaction from chat logs and
// writes preference-training anchors. It is a thin layer over the library.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// rootCmd is the dsatmine command. Each subcommand lives in its own file and
// registers itself in an init function.
var rootCmd = &cobra.Command{
	Use:           "dsatmine",
	Short:         "Mine implicit user dissatisfaction from chat logs into preference-training anchors",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "dsatmine:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode maps an error to the process exit status: 3 (exitNothingRead)
// when no conversation could be read from the inputs, 1 otherwise.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var none *nothingReadError
	if errors.As(err, &none) {
		return exitNothingRead
	}
	return 1
}
