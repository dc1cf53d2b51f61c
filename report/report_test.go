package report

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

func TestMineIsTheMinersRun(t *testing.T) {
	m := newMiner(t)
	c := &collect{}
	want, err := m.Run(context.Background(), []dsat.Input{&sliceInput{convs: fixture()}}, dsat.Sinks{Events: c, Anchors: c})
	require.NoError(t, err)
	a, got := mined(t, DefaultOptions())
	assert.Equal(t, want, got, "Aggregator.Mine must count exactly like Miner.Run")
	assert.Equal(t, int64(len(c.anchors)), a.anchors)
	assert.Equal(t, int64(len(c.events)), a.dsatEvents+a.satEvents)
}

func TestReportFiguresMatchRunStats(t *testing.T) {
	a, st := mined(t, DefaultOptions())
	r := a.Report()
	require.Positive(t, st.DSATEvents)
	require.Positive(t, st.SATEvents)

	s := r.Summary
	assert.True(t, s.HasStats)
	assert.Equal(t, BasisFollowUps, r.Basis)
	assert.Equal(t, st.Records, s.Records)
	assert.Equal(t, st.Conversations, s.Conversations)
	assert.Equal(t, st.FollowUps, s.FollowUps)
	assert.Equal(t, st.DSATEvents, s.DSATEvents)
	assert.Equal(t, st.SATEvents, s.SATEvents)
	assert.Equal(t, st.Anchors, s.Anchors)
	assert.Equal(t, st.Pairs, s.Pairs)
	require.NotNil(t, s.DSATRate)
	assert.Equal(t, NewProportion(st.DSATEvents, st.FollowUps), *s.DSATRate)
	assert.Equal(t, NewProportion(st.SATEvents, st.FollowUps), *s.SATRate)

	require.Len(t, r.Categories, len(heuristics.Categories))
	for i, g := range r.Categories {
		assert.Equal(t, string(heuristics.Categories[i]), g.Name, "canonical order")
		assert.Equal(t, st.Events[g.Name], g.DSAT, g.Name)
		assert.Equal(t, NewProportion(st.Events[g.Name], st.FollowUps), *g.DSATRate, g.Name)
	}

	checkGroups := func(gs []Group, want map[string]dsat.GroupStats) {
		t.Helper()
		require.Len(t, gs, len(want))
		for _, g := range gs {
			w, ok := want[g.Name]
			require.True(t, ok, g.Name)
			assert.Equal(t, w.FollowUps, g.FollowUps, g.Name)
			assert.Equal(t, w.DSAT, g.DSAT, g.Name)
			assert.Equal(t, w.Conversations, g.Conversations, g.Name)
			assert.Equal(t, w.Rate, g.DSATRate.Rate, g.Name)
		}
		for i := 1; i < len(gs); i++ {
			assert.GreaterOrEqual(t, gs[i-1].FollowUps, gs[i].FollowUps, "largest groups first")
		}
	}
	checkGroups(r.Models, st.Models)
	checkGroups(r.Languages, st.Languages)

	// Positions cover every follow-up, exactly once.
	require.Len(t, r.Positions, Positions)
	var fu, ds, sa int64
	for _, p := range r.Positions {
		fu, ds, sa = fu+p.FollowUps, ds+p.DSAT, sa+p.SAT
		assert.Equal(t, NewProportion(p.DSAT, p.FollowUps), *p.DSATRate)
	}
	assert.Equal(t, st.FollowUps, fu)
	assert.Equal(t, st.DSATEvents, ds)
	assert.Equal(t, st.SATEvents, sa)
	assert.Equal(t, "10+", r.Positions[Positions-1].Name)
	assert.Equal(t, int64(1), r.Positions[Positions-1].DSAT, "the 11th follow-up of c5 is DSAT")
	assert.Equal(t, int64(2), r.Positions[Positions-1].FollowUps)

	// The histogram holds every follow-up with a DSAT signal; with one
	// threshold for every category, those at or above it are the DSAT events.
	h := r.Scores
	assert.Equal(t, BasisFollowUps, h.Basis)
	assert.Equal(t, st.FollowUps, h.Total+h.Zero)
	assert.Equal(t, st.DSATEvents, h.AtOrAbove(0.5))
	require.Len(t, h.Bins, HistogramBins)
	assert.Equal(t, 0.5, h.Bins[10].Low)

	// Cues: every DSAT category that fired has a table; SAT comes last.
	var cats []string
	for _, c := range r.Cues {
		cats = append(cats, c.Category)
		assert.NotEmpty(t, c.Cues, c.Category)
	}
	assert.Equal(t, []string{"refinement", "correction", "complaint", "preference", "doubt", "sat"}, cats)
	assert.Equal(t, st.SATEvents, r.Cues[len(r.Cues)-1].Events)

	// Samples: at most SamplesPerCategory per first category, best first.
	require.NotEmpty(t, r.Samples)
	per := map[string]int{}
	for _, sm := range r.Samples {
		per[sm.Categories[0]]++
		assert.NotEmpty(t, sm.ConversationID)
		assert.NotEmpty(t, sm.Marks, "evidence of %s is highlighted", sm.ID)
	}
	for cat, n := range per {
		assert.LessOrEqual(t, n, DefaultOptions().SamplesPerCategory, cat)
	}
	assert.Equal(t, int(st.Anchors), len(r.Samples), "the fixture has fewer anchors than the sample limit")
}

func TestEventsFileGivesTheSameFigures(t *testing.T) {
	// Write a run's events, anchors and statistics as mine does, read them
	// back, and compare with the report of the in-process run.
	var events, anchors bytes.Buffer
	ew, aw := export.NewEventWriter(&events), export.NewAnchorWriter(&anchors, export.FormatDRIFT)
	st, err := newMiner(t).Run(context.Background(), []dsat.Input{&sliceInput{convs: fixture()}}, dsat.Sinks{Events: ew, Anchors: aw})
	require.NoError(t, err)
	statsJSON, err := jsonx.MarshalIndent(st, "", "  ")
	require.NoError(t, err)

	ok, err := IsEvents(bytes.NewReader(events.Bytes()))
	require.NoError(t, err)
	require.True(t, ok)

	fromFile := NewAggregator(DefaultOptions())
	require.NoError(t, fromFile.ReadEvents(context.Background(), &events, "events.jsonl"))
	require.NoError(t, fromFile.ReadAnchors(context.Background(), &anchors, "anchors.jsonl"))
	rst, err := ReadStats(bytes.NewReader(statsJSON), "stats.json")
	require.NoError(t, err)
	fromFile.SetStats(rst)
	got := fromFile.Report()

	a, _ := mined(t, DefaultOptions())
	want := a.Report()

	assert.Equal(t, BasisEvents, got.Basis)
	assert.Equal(t, want.Summary, got.Summary)
	assert.Equal(t, want.Categories, got.Categories)
	assert.Equal(t, want.Models, got.Models)
	assert.Equal(t, want.Languages, got.Languages)
	assert.Equal(t, want.Cues, got.Cues)
	assert.Equal(t, want.Samples, got.Samples)
	// Positions are estimated from message indices; in these alternating
	// conversations the estimate is exact.
	for i := range want.Positions {
		assert.Equal(t, want.Positions[i].DSAT, got.Positions[i].DSAT, "position %s", want.Positions[i].Name)
		assert.Equal(t, want.Positions[i].SAT, got.Positions[i].SAT, "position %s", want.Positions[i].Name)
		assert.Nil(t, got.Positions[i].DSATRate, "no rate without every follow-up")
	}
	// The events histogram holds exactly the DSAT events.
	assert.Equal(t, "dsat_events", got.Scores.Basis)
	assert.Equal(t, st.DSATEvents, got.Scores.Total)
	assert.Equal(t, st.DSATEvents, got.Scores.AtOrAbove(0.5))
	assert.NotEmpty(t, got.Notes)
}

func TestEventsWithoutStats(t *testing.T) {
	a := NewAggregator(DefaultOptions())
	for _, e := range []dsat.Event{
		{ConversationID: "x", Kind: "dsat", FollowUp: 2, Categories: []heuristics.Category{"complaint"}, Score: 0.7, Model: "m"},
		{ConversationID: "x", Kind: "sat", FollowUp: 4, Score: 0.9, Model: "m"},
		{ConversationID: "y", Kind: "dsat", FollowUp: 3, Categories: []heuristics.Category{"doubt", "complaint"}, Score: 0.55},
	} {
		require.NoError(t, a.WriteEvent(&e))
	}
	r := a.Report()
	assert.False(t, r.Summary.HasStats)
	assert.Nil(t, r.Summary.DSATRate)
	assert.Equal(t, int64(2), r.Summary.DSATEvents)
	assert.Equal(t, int64(1), r.Summary.SATEvents)
	assert.Equal(t, int64(2), r.Categories[2].DSAT)
	assert.Nil(t, r.Categories[2].DSATRate)
	require.Len(t, r.Models, 2)
	assert.Equal(t, Group{Name: "m", DSAT: 1, SAT: 1}, r.Models[0])
	assert.Equal(t, Group{Name: "unknown", DSAT: 1}, r.Models[1])
	assert.Equal(t, int64(2), r.Positions[0].DSAT, "indices 2 and 3 are first follow-ups")
	assert.Equal(t, int64(1), r.Positions[1].SAT)
	assert.Len(t, r.Notes, 2)

	var page bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	root := parsePage(t, page.Bytes())
	assert.Contains(t, root.byID("samples").text.String(), "--anchors")
	ch := charts(t, page.Bytes())
	require.Len(t, ch["models"].Bars, 2)
	assert.Equal(t, int64(1), ch["models"].Bars[0].K)
	assert.Zero(t, ch["models"].Bars[0].Rate, "counts, not rates, without stats")
}

func TestGroupsBeyondMaxAreSummed(t *testing.T) {
	opt := DefaultOptions()
	opt.MaxGroups = 3
	a := NewAggregator(opt)
	st := dsat.NewStats()
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		st.Models[name] = dsat.GroupStats{Conversations: 1, FollowUps: int64(10 - i), DSAT: int64(i)}
	}
	st.FollowUps = 40
	a.SetStats(st)
	r := a.Report()
	require.Len(t, r.Models, 3)
	assert.Equal(t, []string{"a", "b", "other"}, []string{r.Models[0].Name, r.Models[1].Name, r.Models[2].Name})
	o := r.Models[2]
	assert.Equal(t, 3, o.Members)
	assert.Equal(t, int64(8+7+6), o.FollowUps)
	assert.Equal(t, int64(2+3+4), o.DSAT)
	assert.Equal(t, NewProportion(9, 21), *o.DSATRate)
}

func TestHTMLPage(t *testing.T) {
	a, st := mined(t, DefaultOptions())
	r := a.Report()
	var page, js bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	require.NoError(t, r.WriteJSON(&js))
	root := parsePage(t, page.Bytes())

	// Self-contained: no scripts, no external resources, no event handlers.
	assert.Empty(t, root.byName("script"))
	assert.Empty(t, root.byName("link"))
	assert.Empty(t, root.byName("img"))
	assert.Empty(t, root.byName("iframe"))
	for _, n := range root.all(func(*node) bool { return true }) {
		for k, v := range n.attr {
			assert.False(t, strings.HasPrefix(k, "on"), "event handler %s on <%s>", k, n.name)
			assert.NotEqual(t, "src", k, "external resource on <%s>", n.name)
			if k == "href" {
				assert.True(t, strings.HasPrefix(v, "#"), "only in-page links: %s", v)
			}
		}
	}
	require.Len(t, root.byName("style"), 1)

	for _, id := range []string{"summary", "categories", "models", "languages", "positions", "scores", "cues", "samples"} {
		assert.NotNil(t, root.byID(id), "section %s", id)
	}

	// Summary cards show the run statistics.
	cards := map[string]string{}
	for _, c := range root.byClass("card") {
		cards[c.attr["data-key"]] = c.text.String()
	}
	assert.Contains(t, cards["follow_ups"], num(st.FollowUps))
	assert.Contains(t, cards["dsat"], num(st.DSATEvents))
	assert.Contains(t, cards["dsat"], pct(r.Summary.DSATRate.Rate))
	assert.Contains(t, cards["anchors"], num(st.Anchors))

	// Charts: well-formed SVG whose bars carry the JSON's numbers.
	var fromJSON Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &fromJSON))
	ch := charts(t, page.Bytes())
	checkBars := func(name string, gs []Group) {
		t.Helper()
		bars := ch[name].Bars
		require.Len(t, bars, len(gs), name)
		for i, g := range gs {
			assert.Equal(t, g.Name, bars[i].Name)
			assert.Equal(t, g.DSATRate.K, bars[i].K, "%s %s", name, g.Name)
			assert.Equal(t, g.DSATRate.N, bars[i].N, "%s %s", name, g.Name)
			assert.Equal(t, g.DSATRate.Rate, bars[i].Rate, "%s %s", name, g.Name)
			assert.Equal(t, g.DSATRate.Low, bars[i].Low, "%s %s", name, g.Name)
			assert.Equal(t, g.DSATRate.High, bars[i].High, "%s %s", name, g.Name)
		}
	}
	checkBars("categories", fromJSON.Categories)
	checkBars("models", fromJSON.Models)
	checkBars("languages", fromJSON.Languages)
	checkBars("positions", trimEmptyTail(fromJSON.Positions))
	hist := ch["histogram"]
	require.Len(t, hist.Bars, HistogramBins)
	assert.Equal(t, 0.5, hist.threshold())
	var above int64
	for i, b := range hist.Bars {
		assert.Equal(t, fromJSON.Scores.Bins[i].Count, b.K)
		if b.Fill == colDSAT {
			above += b.K
		}
	}
	assert.Equal(t, st.DSATEvents, above, "bars at or above the threshold are the DSAT follow-ups")
	// Taller bars for larger counts.
	for _, b := range hist.Bars {
		if b.K == 0 {
			assert.Zero(t, b.H)
		} else {
			assert.Positive(t, b.H)
		}
	}

	// Group tables list the same numbers.
	rows := root.byID("models").byName("tr")
	var names []string
	for _, tr := range rows {
		if n, ok := tr.attr["data-name"]; ok {
			names = append(names, n)
		}
	}
	var want []string
	for _, g := range fromJSON.Models {
		want = append(want, g.Name)
	}
	assert.Equal(t, want, names)

	// Every sample is shown with its conversation id and highlighted evidence.
	articles := root.byID("samples").byName("article")
	require.Len(t, articles, len(r.Samples))
	for i, art := range articles {
		sm := r.Samples[i]
		assert.Equal(t, "anchor-"+sm.ID, art.attr["id"])
		ids := art.byClass("conversation-id")
		require.Len(t, ids, 1)
		assert.Equal(t, sm.ConversationID, ids[0].text.String())
		marks := art.byName("mark")
		require.Len(t, marks, len(sm.Marks))
		for j, mk := range marks {
			assert.Equal(t, sm.FollowUp[sm.Marks[j].Start:sm.Marks[j].End], mk.text.String())
		}
	}
}

func TestHTMLEscapesLogText(t *testing.T) {
	a, _ := mined(t, DefaultOptions())
	r := a.Report()
	var page bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	raw := page.String()
	for _, s := range []string{"<script", injectionModel, "<b>"} {
		assert.False(t, strings.Contains(raw, s), "unescaped log text %q in the page", s)
	}
	root := parsePage(t, page.Bytes())
	assert.Empty(t, root.byName("script"))
	assert.Empty(t, root.byName("b"))

	// The hostile texts are there, as text.
	var art *node
	for _, n := range root.byName("article") {
		if strings.Contains(n.text.String(), injectionID) {
			art = n
		}
	}
	require.NotNil(t, art, "sample of the hostile conversation")
	fu := art.byClass("follow-up")
	require.Len(t, fu, 1)
	assert.Contains(t, fu[0].text.String(), injectionScript)
	assert.Contains(t, art.byClass("rejected")[0].text.String(), "<b>Summary</b>")
	assert.Contains(t, art.text.String(), injectionModel)
	assert.Contains(t, root.byID("models").text.String(), injectionModel)

	// In the SVG too: the hostile model name is a bar's name and label.
	ch := charts(t, page.Bytes())
	var names []string
	for _, b := range ch["models"].Bars {
		names = append(names, b.Name)
	}
	assert.Contains(t, names, injectionModel)
}

func TestDeterministicOutput(t *testing.T) {
	render := func() (string, string) {
		a, _ := mined(t, DefaultOptions())
		r := a.Report()
		var h, j bytes.Buffer
		require.NoError(t, r.WriteHTML(&h))
		require.NoError(t, r.WriteJSON(&j))
		return h.String(), j.String()
	}
	h1, j1 := render()
	for range 3 {
		h2, j2 := render()
		require.Equal(t, h1, h2)
		require.Equal(t, j1, j2)
	}
}

func TestBundledSample(t *testing.T) {
	in, err := conversation.Open("../testdata/sample/wildchat-sample.jsonl")
	require.NoError(t, err)
	defer in.Close()
	a := NewAggregator(DefaultOptions())
	st, err := a.Mine(context.Background(), newMiner(t), []dsat.Input{in})
	require.NoError(t, err)
	r := a.Report()
	assert.Equal(t, int64(62), r.Summary.Records)
	assert.Equal(t, st.FollowUps, r.Summary.FollowUps)
	assert.Len(t, r.Models, len(st.Models))
	assert.Len(t, r.Languages, len(st.Languages))
	assert.Equal(t, map[string]float64{"preference": dsat.DefaultPreferenceThreshold}, r.CategoryThresholds, "the default miner asks more of preference")
	assert.LessOrEqual(t, st.DSATEvents, r.Scores.AtOrAbove(r.Threshold), "preference follow-ups between the two thresholds are not DSAT")
	var page bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	root := parsePage(t, page.Bytes())
	ch := charts(t, page.Bytes())
	for _, name := range []string{"categories", "models", "languages", "positions", "histogram"} {
		assert.NotEmpty(t, ch[name].Bars, name)
	}
	assert.Len(t, root.byID("samples").byName("article"), len(r.Samples))
	assert.NotEmpty(t, root.byID("cues").byName("table"))
}

func TestCommonThreshold(t *testing.T) {
	th, other := commonThreshold(map[heuristics.Category]float64{heuristics.Preference: 0.6})
	assert.Equal(t, 0.5, th, "categories without a threshold count as 0.5")
	assert.Equal(t, map[string]float64{"preference": 0.6}, other)
	th, other = commonThreshold(map[heuristics.Category]float64{
		heuristics.Refinement: 0.7, heuristics.Correction: 0.7, heuristics.Complaint: 0.7,
		heuristics.Preference: 0.7, heuristics.Doubt: 0.7, heuristics.Pushback: 0.7,
	})
	assert.Equal(t, 0.7, th)
	assert.Nil(t, other)
}
