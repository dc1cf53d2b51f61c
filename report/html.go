package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

//go:embed template.html
var pageTemplate string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":   num,
	"rate":  rateText,
	"ci":    ciText,
	"reply": replyHTML,
}).Parse(pageTemplate))

// page is the view of a Report that the template renders.
type page struct {
	R             *Report
	Rates         bool
	AtOrAbove     int64
	Cards         []card
	CategoryChart template.HTML
	ModelChart    template.HTML
	LanguageChart template.HTML
	PositionChart template.HTML
	ScoreChart    template.HTML
	Samples       []sampleView
}

type card struct{ Key, Label, Value, Sub string }

type sampleView struct {
	Sample
	Segments []segment
	TailCut  bool
}

// segment is a piece of a follow-up, marked when it is evidence.
type segment struct {
	Text string
	Mark bool
}

// WriteHTML writes the report as one self-contained HTML page: inline CSS,
// charts as inline SVG, no scripts and no external resources. Every text
// from the logs is escaped.
func (r *Report) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if err := tmpl.Execute(bw, r.page()); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteJSON writes the report as indented JSON, the same figures as the
// HTML page.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := jsonx.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func (r *Report) page() *page {
	s := r.Summary
	p := &page{R: r, Rates: s.DSATRate != nil, AtOrAbove: r.Scores.AtOrAbove(r.Threshold)}
	if s.HasStats {
		p.Cards = append(p.Cards,
			card{"records", "records", num(s.Records), num(s.RecordsSkipped) + " skipped"},
			card{"conversations", "conversations", num(s.Conversations), num(s.ConversationsMined) + " with DSAT"})
	}
	if s.DSATRate != nil {
		p.Cards = append(p.Cards, card{"follow_ups", "follow-ups", num(s.FollowUps), "judged user replies"})
	}
	p.Cards = append(p.Cards,
		card{"dsat", "DSAT events", num(s.DSATEvents), rateSub(s.DSATRate)},
		card{"sat", "SAT events", num(s.SATEvents), rateSub(s.SATRate)},
		card{"anchors", "anchors", num(s.Anchors), num(s.Pairs) + " with a chosen reply"})
	if s.HasStats {
		p.Cards = append(p.Cards, card{"duplicates", "duplicates", num(s.Duplicates), "anchors dropped by dedup"})
	}

	p.CategoryChart = template.HTML(hbarChart("categories", "DSAT rate per category", groupBars(r.Categories)))
	p.ModelChart = template.HTML(hbarChart("models", "DSAT rate per model", groupBars(r.Models)))
	p.LanguageChart = template.HTML(hbarChart("languages", "DSAT rate per language", groupBars(r.Languages)))
	pos := groupBars(trimEmptyTail(r.Positions))
	for i := range pos {
		if pos[i].ci {
			pos[i].caption = "n=" + num(pos[i].n)
		}
	}
	p.PositionChart = template.HTML(vbarChart("positions", "DSAT rate by follow-up number", pos))
	p.ScoreChart = template.HTML(histogramChart(r.Scores, r.Threshold))
	for _, sm := range r.Samples {
		p.Samples = append(p.Samples, sampleView{
			Sample:   sm,
			Segments: segments(sm.FollowUp, sm.Marks),
			TailCut:  sm.FollowUpStart+len(sm.FollowUp) < sm.FollowUpLength,
		})
	}
	return p
}

// groupBars turns groups into bars: rates with intervals when known, event
// counts otherwise.
func groupBars(gs []Group) []bar {
	out := make([]bar, 0, len(gs))
	for _, g := range gs {
		b := bar{label: g.Name, k: g.DSAT}
		if g.Members > 0 {
			b.label = fmt.Sprintf("other (%d)", g.Members)
		}
		if p := g.DSATRate; p != nil {
			b.ci, b.value, b.low, b.high, b.n = true, p.Rate, p.Low, p.High, p.N
			b.caption = rateText(p) + " (" + num(p.K) + "/" + num(p.N) + ")"
			b.title = g.Name + ": " + b.caption + ", 95% CI " + ciText(p)
		} else {
			b.value = float64(g.DSAT)
			b.caption = num(g.DSAT) + " DSAT"
			b.title = g.Name + ": " + b.caption
		}
		out = append(out, b)
	}
	return out
}

// trimEmptyTail drops the trailing positions no follow-up reached, so that
// the chart ends at the last follow-up number that occurs (keeping one).
func trimEmptyTail(gs []Group) []Group {
	n := len(gs)
	for n > 1 && gs[n-1].FollowUps == 0 && gs[n-1].DSAT == 0 && gs[n-1].SAT == 0 {
		n--
	}
	return gs[:n]
}

// replyHTML renders a reply as escaped text in which Markdown code fences
// become code blocks: the text between a line opening with ``` (or ~~~) and
// the line closing it is shown as preformatted code, without the fence
// lines; a fence the truncation left open runs to the end. Nothing of the
// reply is ever interpreted as HTML.
func replyHTML(text string) template.HTML {
	var b strings.Builder
	var code strings.Builder
	fence, inCode := "", false
	flushText := func(t string) {
		if t != "" {
			b.WriteString(template.HTMLEscapeString(t))
		}
	}
	flushCode := func() {
		b.WriteString(`<pre class="code"><code>`)
		b.WriteString(template.HTMLEscapeString(strings.TrimSuffix(code.String(), "\n")))
		b.WriteString("</code></pre>")
		code.Reset()
	}
	lines := strings.SplitAfter(text, "\n")
	var plain strings.Builder
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case !inCode && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			flushText(plain.String())
			plain.Reset()
			fence, inCode = trimmed[:3], true
		case inCode && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "":
			flushCode()
			inCode = false
		case inCode:
			code.WriteString(line)
		default:
			plain.WriteString(line)
		}
	}
	if inCode {
		flushCode()
	}
	flushText(plain.String())
	return template.HTML(b.String())
}

// segments splits text at the marks.
func segments(text string, marks []Span) []segment {
	var out []segment
	at := 0
	for _, m := range marks {
		if m.Start < at || m.End > len(text) || m.Start >= m.End {
			continue
		}
		if m.Start > at {
			out = append(out, segment{Text: text[at:m.Start]})
		}
		out = append(out, segment{Text: text[m.Start:m.End], Mark: true})
		at = m.End
	}
	if at < len(text) {
		out = append(out, segment{Text: text[at:]})
	}
	return out
}

// num formats n with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

func rateText(p *Proportion) string {
	if p == nil || p.N == 0 {
		return "—"
	}
	return pct(p.Rate)
}

func ciText(p *Proportion) string {
	if p == nil || p.N == 0 {
		return "—"
	}
	return pct(p.Low) + "–" + pct(p.High)
}

func rateSub(p *Proportion) string {
	if p == nil || p.N == 0 {
		return "rate needs run statistics"
	}
	return rateText(p) + " of follow-ups (95% CI " + ciText(p) + ")"
}
