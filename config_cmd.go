package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/podtui/podtui/config"
)

func newConfigCmd(g *globalFlags, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show where the config file is, or write a commented default one",
		Args:  cobra.NoArgs,
	}
	var force bool
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented default config file (refuses to overwrite without --force)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			path, err := config.Path(g.configFile)
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); err == nil && !force {
				return fmt.Errorf("%s already exists (use --force to overwrite)", path)
			} else if err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, config.DefaultFile(), 0o644); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "wrote", path)
			return nil
		},
	}
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	pathCmd := &cobra.Command{
		Use:   "path",
		Short: "Print the path the config file is read from",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			path, err := config.Path(g.configFile)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, path)
			return nil
		},
	}
	cmd.AddCommand(initCmd, pathCmd)
	return cmd
}
