package report

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Chart colours.
const (
	colDSAT    = "#c2410c"
	colMuted   = "#94a3b8"
	colCI      = "#1e293b"
	colGrid    = "#e2e8f0"
	colText    = "#334155"
	colLine    = "#dc2626"
	chartWidth = 940
)

// bar is one bar of a chart. With ci set, Value, Low and High are rates in
// [0,1]; otherwise Value is a count.
type bar struct {
	label   string
	value   float64
	low     float64
	high    float64
	ci      bool
	k, n    int64
	caption string // text beside or under the bar
	title   string // tooltip
}

// svgWriter builds one SVG fragment. Every text and attribute value goes
// through esc.
type svgWriter struct{ b strings.Builder }

func (s *svgWriter) raw(parts ...string) {
	for _, p := range parts {
		s.b.WriteString(p)
	}
}

// esc writes t escaped for XML text and attribute values.
func (s *svgWriter) esc(t string) {
	_ = xml.EscapeText(&s.b, []byte(t))
}

func (s *svgWriter) open(w, h int, class, label string) {
	s.raw(`<svg xmlns="http://www.w3.org/2000/svg" class="chart `, class, `" width="`, itoa(w), `" height="`, itoa(h),
		`" viewBox="0 0 `, itoa(w), " ", itoa(h), `" role="img" aria-label="`)
	s.esc(label)
	s.raw(`">`)
}

func (s *svgWriter) close() { s.raw("</svg>") }

// text writes a text element; anchor is start, middle or end.
func (s *svgWriter) text(x, y float64, anchor, class, t string) {
	s.raw(`<text x="`, ff(x), `" y="`, ff(y), `" text-anchor="`, anchor, `"`)
	if class != "" {
		s.raw(` class="`, class, `"`)
	}
	s.raw(">")
	s.esc(t)
	s.raw("</text>")
}

func (s *svgWriter) line(x1, y1, x2, y2 float64, stroke string, width float64, extra string) {
	s.raw(`<line x1="`, ff(x1), `" y1="`, ff(y1), `" x2="`, ff(x2), `" y2="`, ff(y2),
		`" stroke="`, stroke, `" stroke-width="`, ff(width), `"`, extra, "/>")
}

// barRect writes a bar with its data attributes and tooltip.
func (s *svgWriter) barRect(x, y, w, h float64, fill string, b bar) {
	s.raw(`<rect class="bar" x="`, ff(x), `" y="`, ff(y), `" width="`, ff(max(w, 0)), `" height="`, ff(max(h, 0)),
		`" fill="`, fill, `" data-name="`)
	s.esc(b.label)
	s.raw(`" data-k="`, strconv.FormatInt(b.k, 10), `" data-n="`, strconv.FormatInt(b.n, 10), `"`)
	if b.ci {
		s.raw(` data-rate="`, ff4(b.value), `" data-low="`, ff4(b.low), `" data-high="`, ff4(b.high), `"`)
	}
	s.raw("><title>")
	s.esc(b.title)
	s.raw("</title></rect>")
}

// whisker writes a confidence interval: a line with end caps, horizontal
// (vertical=false) from a to b at c, or vertical.
func (s *svgWriter) whisker(a, b, c float64, vertical bool) {
	s.raw(`<g class="ci">`)
	if vertical {
		s.line(c, a, c, b, colCI, 1.5, "")
		s.line(c-4, a, c+4, a, colCI, 1.5, "")
		s.line(c-4, b, c+4, b, colCI, 1.5, "")
	} else {
		s.line(a, c, b, c, colCI, 1.5, "")
		s.line(a, c-4, a, c+4, colCI, 1.5, "")
		s.line(b, c-4, b, c+4, colCI, 1.5, "")
	}
	s.raw("</g>")
}

// hbarChart draws one horizontal bar per row: a rate with its confidence
// interval, or a count.
func hbarChart(class, label string, bars []bar) string {
	const (
		labelW  = 200.0
		plotX   = 210.0
		plotW   = 400.0
		rowH    = 28.0
		top     = 24.0
		barH    = 16.0
		capX    = plotX + plotW + 12
		bottomM = 8.0
	)
	if len(bars) == 0 {
		return emptyChart(class, label)
	}
	scale, ci := barScale(bars)
	h := int(top + rowH*float64(len(bars)) + bottomM)
	var s svgWriter
	s.open(chartWidth, h, class, label)
	x := func(v float64) float64 { return plotX + plotW*v/scale }
	for _, t := range ticks(scale, ci) {
		s.line(x(t.v), top-4, x(t.v), float64(h)-bottomM, colGrid, 1, "")
		s.text(x(t.v), top-8, "middle", "tick", t.label)
	}
	for i, b := range bars {
		y := top + rowH*float64(i)
		cy := y + rowH/2
		s.text(labelW, cy+4, "end", "name", shorten(b.label, 30))
		s.barRect(plotX, cy-barH/2, x(b.value)-plotX, barH, colDSAT, b)
		if b.ci && b.n > 0 {
			s.whisker(x(b.low), x(b.high), cy, false)
		}
		s.text(capX, cy+4, "start", "value", b.caption)
	}
	s.close()
	return s.b.String()
}

// barScale returns the axis maximum of a bar chart (niceMax of the highest
// value or upper interval bound) and whether the bars are rates with
// confidence intervals.
func barScale(bars []bar) (scale float64, ci bool) {
	ci = bars[0].ci
	var hi float64
	for _, b := range bars {
		hi = max(hi, b.value)
		if b.ci {
			hi = max(hi, b.high)
		}
	}
	return niceMax(hi, ci), ci
}

// vbarChart draws one vertical bar per column with its caption under the
// axis.
func vbarChart(class, label string, bars []bar) string {
	const (
		plotX = 56.0
		plotW = chartWidth - plotX - 16
		top   = 16.0
		plotH = 200.0
		h     = top + plotH + 48
	)
	if len(bars) == 0 {
		return emptyChart(class, label)
	}
	scale, ci := barScale(bars)
	var s svgWriter
	s.open(chartWidth, int(h), class, label)
	y := func(v float64) float64 { return top + plotH - plotH*v/scale }
	for _, t := range ticks(scale, ci) {
		s.line(plotX, y(t.v), plotX+plotW, y(t.v), colGrid, 1, "")
		s.text(plotX-6, y(t.v)+4, "end", "tick", t.label)
	}
	band := plotW / float64(len(bars))
	for i, b := range bars {
		cx := plotX + band*(float64(i)+0.5)
		w := band * 0.6
		s.barRect(cx-w/2, y(b.value), w, top+plotH-y(b.value), colDSAT, b)
		if b.ci && b.n > 0 {
			s.whisker(y(b.low), y(b.high), cx, true)
		}
		s.text(cx, top+plotH+16, "middle", "name", b.label)
		s.text(cx, top+plotH+32, "middle", "value", b.caption)
	}
	s.line(plotX, top+plotH, plotX+plotW, top+plotH, colText, 1, "")
	s.close()
	return s.b.String()
}

// histogramChart draws the score histogram with the threshold marked; bins
// at or above the threshold are drawn in the DSAT colour.
func histogramChart(h Histogram, threshold float64) string {
	const (
		plotX = 56.0
		plotW = chartWidth - plotX - 16
		top   = 28.0
		plotH = 200.0
		ht    = top + plotH + 40
	)
	var hi float64
	for _, b := range h.Bins {
		hi = max(hi, float64(b.Count))
	}
	scale := niceMax(hi, false)
	var s svgWriter
	s.open(chartWidth, int(ht), "histogram", "Histogram of DSAT scores with the operating threshold")
	y := func(v float64) float64 { return top + plotH - plotH*v/scale }
	x := func(v float64) float64 { return plotX + plotW*v }
	for _, t := range ticks(scale, false) {
		s.line(plotX, y(t.v), plotX+plotW, y(t.v), colGrid, 1, "")
		s.text(plotX-6, y(t.v)+4, "end", "tick", t.label)
	}
	for _, b := range h.Bins {
		fill := colMuted
		if b.Low >= threshold-1e-9 {
			fill = colDSAT
		}
		bb := bar{
			label: ff2(b.Low) + "–" + ff2(b.High), value: float64(b.Count), k: b.Count, n: h.Total,
			title: "score " + ff2(b.Low) + "–" + ff2(b.High) + ": " + strconv.FormatInt(b.Count, 10),
		}
		x0, x1 := x(b.Low)+1, x(b.High)-1
		s.barRect(x0, y(bb.value), x1-x0, top+plotH-y(bb.value), fill, bb)
	}
	s.line(plotX, top+plotH, plotX+plotW, top+plotH, colText, 1, "")
	for i := 0; i <= 10; i++ {
		v := float64(i) / 10
		s.text(x(v), top+plotH+16, "middle", "tick", ff1(v))
	}
	s.text(plotX+plotW/2, top+plotH+34, "middle", "name", "score")
	tx := x(threshold)
	s.raw(`<g class="threshold" data-threshold="`, ff4(threshold), `">`)
	s.line(tx, top-6, tx, top+plotH, colLine, 2, ` stroke-dasharray="6 4"`)
	anchor := "start"
	lx := tx + 6
	if threshold > 0.8 {
		anchor, lx = "end", tx-6
	}
	s.text(lx, top-10, anchor, "threshold-label", "threshold "+ff2(threshold))
	s.raw("</g>")
	s.close()
	return s.b.String()
}

func emptyChart(class, label string) string {
	var s svgWriter
	s.open(chartWidth, 40, class, label)
	s.text(chartWidth/2, 24, "middle", "name", "no data")
	s.close()
	return s.b.String()
}

type tick struct {
	v     float64
	label string
}

// niceMax returns a round upper end for an axis holding hi: a rate up to 1,
// or a count.
func niceMax(hi float64, rate bool) float64 {
	if rate {
		for _, c := range []float64{0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1} {
			if hi <= c+1e-12 {
				return c
			}
		}
		return 1
	}
	if hi <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(hi)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if hi <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// ticks returns ticks from 0 to scale at a round step, at most six
// intervals.
func ticks(scale float64, rate bool) []tick {
	step := scale
	for e := -3.0; e <= 12; e++ {
		p := math.Pow(10, e)
		found := false
		for _, m := range []float64{1, 2, 2.5, 5} {
			c := m * p
			if !rate && c < 1 {
				continue
			}
			if scale/c <= 6+1e-9 {
				step, found = c, true
				break
			}
		}
		if found {
			break
		}
	}
	var out []tick
	for i := 0; float64(i)*step <= scale+1e-9; i++ {
		v := math.Round(float64(i)*step*1e6) / 1e6
		var l string
		if rate {
			l = strconv.FormatFloat(math.Round(v*1e6)/1e4, 'f', -1, 64) + "%"
		} else {
			l = strconv.FormatFloat(v, 'f', -1, 64)
		}
		out = append(out, tick{v, l})
	}
	return out
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func itoa(i int) string    { return strconv.Itoa(i) }
func ff(f float64) string  { return strconv.FormatFloat(f, 'f', 1, 64) }
func ff1(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
func ff2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
func ff4(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }
