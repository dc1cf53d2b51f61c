// Package report turns a dsatmine run into something people can look at: a
// self-contained HTML page with inline SVG charts, or the same figures as
// JSON for dashboards.
//
// An Aggregator collects a run in one streaming pass, from any of three
// sources: the miner itself (Aggregator.Mine, which scores every follow-up),
// an events file written by "dsatmine mine --events" (Aggregator.ReadEvents),
// and optionally the run's statistics (Aggregator.SetStats) and anchors
// (Aggregator.ReadAnchors or Aggregator.WriteAnchor). Aggregator.Report
// returns the figures as a Report, which writes itself as HTML
// (Report.WriteHTML) or JSON (Report.WriteJSON): both come from the same
// struct, so the page and the JSON always agree.
//
// Rates carry 95% Wilson score intervals so that small models or languages
// are not over-read. Everything taken from the logs (follow-ups, replies,
// model names, cues) is escaped; the page needs no network and no
// JavaScript. The same input always gives byte-identical output.
package report
