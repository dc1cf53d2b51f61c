package heuristics

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/dsatmine/dsatmine/labelled"
)

// devDir holds the optional labelled development data (the labelled-data format of docs/records.md).
var devDir = filepath.Join("..", "..", "shared", "data", "dev")

// loadLabelled is a small test-only reader for labelled JSON Lines.
func loadLabelled(t testing.TB, path string) []labelled.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l labelled.Record
		if err := jsonx.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type prf struct{ tp, fp, fn int }

func (m prf) p() float64 { return ratio(m.tp, m.tp+m.fp) }
func (m prf) r() float64 { return ratio(m.tp, m.tp+m.fn) }
func (m prf) f1() float64 {
	p, r := m.p(), m.r()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
func (m *prf) add(pred, gold bool) {
	switch {
	case pred && gold:
		m.tp++
	case pred:
		m.fp++
	case gold:
		m.fn++
	}
}
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

type devResult struct {
	dsat, sat prf
	sweep     map[float64]prf
	cats      map[Category]*prf
}

var sweepThresholds = []float64{0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}

// scoreDev runs the engine on every labelled follow-up of path with the
// shared decision rule (DSAT iff DSAT >= 0.5; SAT iff SAT >= 0.5 and not DSAT).
func scoreDev(t testing.TB, e *Engine, path string, debug bool) devResult {
	res := devResult{sweep: map[float64]prf{}, cats: map[Category]*prf{}}
	for _, c := range Categories {
		res.cats[c] = &prf{}
	}
	for _, l := range loadLabelled(t, path) {
		conv := &conversation.Conversation{ID: l.ID, Source: l.Source, Messages: l.Messages}
		for _, lab := range l.Labels {
			if lab.Turn <= 0 || lab.Turn >= len(conv.Messages) || conv.Messages[lab.Turn-1].Role != conversation.Assistant {
				continue
			}
			a := e.Analyze(NewTurn(conv, lab.Turn))
			isDSAT := a.DSAT >= 0.5
			res.dsat.add(isDSAT, lab.DSAT)
			res.sat.add(!isDSAT && a.SAT >= 0.5, lab.SAT)
			for _, th := range sweepThresholds {
				m := res.sweep[th]
				m.add(a.DSAT >= th, lab.DSAT)
				res.sweep[th] = m
			}
			if len(lab.Categories) > 0 {
				for _, c := range Categories {
					res.cats[c].add(a.Scores[c] >= 0.5, slices.Contains(lab.Categories, string(c)))
				}
			}
			if debug && (isDSAT != lab.DSAT || isDSAT && os.Getenv("DSAT_DEBUG") == "2") {
				kind := "FN"
				switch {
				case isDSAT && lab.DSAT:
					kind = "TP"
				case isDSAT:
					kind = "FP"
				}
				msg := conv.Messages[lab.Turn].Content
				fmt.Printf("%s %s/%d gold=%v %s | %q\n", kind, l.ID, lab.Turn, lab.Categories, a, capText(msg, 160))
				for _, s := range a.Signals {
					fmt.Printf("     + %s %s %.2f %s\n", s.Detector, s.Category, s.Score, s.Cue)
				}
			}
		}
	}
	return res
}

func (r devResult) report(t testing.TB, name string) {
	t.Logf("%s: DSAT P=%.3f R=%.3f F1=%.3f (tp=%d fp=%d fn=%d)  SAT P=%.3f R=%.3f F1=%.3f",
		name, r.dsat.p(), r.dsat.r(), r.dsat.f1(), r.dsat.tp, r.dsat.fp, r.dsat.fn, r.sat.p(), r.sat.r(), r.sat.f1())
	for _, th := range sweepThresholds {
		m := r.sweep[th]
		t.Logf("  sweep τ=%.1f P=%.3f R=%.3f F1=%.3f", th, m.p(), m.r(), m.f1())
	}
	for _, c := range Categories {
		m := r.cats[c]
		t.Logf("  %-10s P=%.3f R=%.3f (tp=%d fp=%d fn=%d)", c, m.p(), m.r(), m.tp, m.fp, m.fn)
	}
}

// TestDevScore measures the engine on the development data when present and
// guards the figures reached so far against regressions.
func TestDevScore(t *testing.T) {
	debug := os.Getenv("DSAT_DEBUG") != ""
	e := Default()
	t.Run("sharegpt", func(t *testing.T) {
		path := filepath.Join(devDir, "sharegpt-dev.jsonl")
		if _, err := os.Stat(path); err != nil {
			t.Skip("development data not present:", path)
		}
		r := scoreDev(t, e, path, debug)
		r.report(t, "sharegpt-dev")
		if r.dsat.p() < devMinDSATPrecision || r.dsat.f1() < devMinDSATF1 || r.sat.f1() < devMinSATF1 {
			t.Errorf("regression: DSAT P=%.3f F1=%.3f SAT F1=%.3f, want >= %.2f, %.2f, %.2f",
				r.dsat.p(), r.dsat.f1(), r.sat.f1(), devMinDSATPrecision, devMinDSATF1, devMinSATF1)
		}
	})
	t.Run("eurtad", func(t *testing.T) {
		path := filepath.Join(devDir, "eurtad-filtered.jsonl")
		if _, err := os.Stat(path); err != nil {
			t.Skip("development data not present:", path)
		}
		r := scoreDev(t, e, path, debug)
		r.report(t, "eurtad-filtered")
		if r.dsat.f1() < devMinEurtadF1 {
			t.Errorf("regression: eurtad DSAT F1=%.3f, want >= %.2f", r.dsat.f1(), devMinEurtadF1)
		}
	})
}

// Figures reached on the development data; raise them as rules improve.
const (
	devMinDSATPrecision = 0.80
	devMinDSATF1        = 0.58
	devMinSATF1         = 0.75
	devMinEurtadF1      = 0.65
)
