package main

import (
	"io"

	"github.com/spf13/cobra"
)

// addExtraCommands adds the subcommands that live in their own files.
func addExtraCommands(root *cobra.Command, g *globalFlags, stdout, stderr io.Writer) {
	root.AddCommand(newDiagnoseCmd(g, stdout, stderr), newLogsCmd(g, stdout, stderr))
}
