// Package export is the "write" step of dsatmine's flow: it writes the
// miner's events (EventWriter) and anchors (AnchorWriter) as JSON Lines in
// the layouts preference trainers read — the native anchor record (drift),
// TRL, KTO, OpenRLHF and LLaMA-Factory (Format) — with the message
// lists role-normalised for chat templates (NormalizeRoles). Both writers
// implement the sinks of dsat.Sinks, and AnchorWriter reports what it changed
// in a dsat.ExportStats.
package export
