package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/heuristics"
)

func init() {
	// The version is computed only when --version asks for it: it loads the
	// lexicons and the embedded model.
	rootCmd.Version = "see --version"
	cobra.AddTemplateFunc("dsatmineVersion", versionString)
	rootCmd.SetVersionTemplate("{{dsatmineVersion}}\n")
}

// versionString is what --version prints: the module version (with the
// VCS revision when the binary was built from a checkout), the detectors'
// version as events and anchors record it (detector_version), and the
// digest of the embedded default model.
func versionString() string {
	mod, rev := "(unknown)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		mod = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" && rev != "" {
					rev += "+dirty"
				}
			}
		}
	}
	if mod == "" {
		mod = "(devel)"
	}
	if rev != "" {
		mod += " " + rev
	}
	e := heuristics.Default()
	model := "unavailable"
	if m, err := classifier.Default(); err == nil {
		model = m.Digest()
	} else {
		model += ": " + err.Error()
	}
	return fmt.Sprintf("dsatmine %s\ndetector_version %s/%s\ndefault model %s", mod, e.Name(), e.Version(), model)
}
