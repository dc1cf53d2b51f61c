package llmjudge

import (
	"regexp"
	"sort"
	"strings"
)

// Redaction kinds, used as keys of Stats.Redactions.
const (
	KindAPIKey = "api_key"
	KindToken  = "token"
	KindEmail  = "email"
	KindPhone  = "phone"
	KindSecret = "secret"
)

var placeholders = map[string]string{
	KindAPIKey: "<API_KEY>",
	KindToken:  "<TOKEN>",
	KindEmail:  "<EMAIL>",
	KindPhone:  "<PHONE>",
	KindSecret: "<SECRET>",
}

// redactRule replaces submatch group of every match of re (0 = the whole
// match) for which ok (when set) accepts the replaced text.
type redactRule struct {
	kind  string
	re    *regexp.Regexp
	group int
	ok    func(s string) bool
}

// redactRules are listed in priority order: when matches overlap, the earlier
// rule wins.
var redactRules = []redactRule{
	{kind: KindAPIKey, re: regexp.MustCompile(`\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{20,}`)},
	{kind: KindAPIKey, re: regexp.MustCompile(`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}`)},
	{kind: KindAPIKey, re: regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{30,}`)},
	{kind: KindAPIKey, re: regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{kind: KindAPIKey, re: regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9\-]{10,}`)},
	{kind: KindAPIKey, re: regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}`)},
	{kind: KindAPIKey, re: regexp.MustCompile(`\b(?:glpat-|hf_)[A-Za-z0-9_\-]{20,}`)},
	{kind: KindToken, re: regexp.MustCompile(`\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}`)},
	{kind: KindToken, re: regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{16,}=*)`), group: 1},
	{kind: KindEmail, re: regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b`)},
	{kind: KindPhone, re: regexp.MustCompile(`\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,6}`), ok: phoneDigits},
	{kind: KindPhone, re: regexp.MustCompile(`(?:\(\d{3}\)|\b\d{3})[ .\-]?\d{3}[ .\-]\d{4}\b`)},
	{kind: KindSecret, re: regexp.MustCompile(`\b[0-9a-fA-F]{32,}\b`), ok: mixedHex},
	{kind: KindSecret, re: regexp.MustCompile(`\b[A-Za-z0-9][A-Za-z0-9+_\-]{31,}={0,2}`), ok: randomLooking},
}

// phoneDigits accepts international numbers with 8 to 15 digits.
func phoneDigits(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n >= 8 && n <= 15
}

// mixedHex accepts hex strings that contain both digits and letters (so runs
// of one repeated digit or of plain words are kept).
func mixedHex(s string) bool {
	return strings.ContainsAny(s, "0123456789") && strings.ContainsAny(s, "abcdefABCDEF")
}

// randomLooking accepts strings that look like generated secrets rather than
// identifiers: all three character classes, several digits, and frequent
// switches between classes (camelCase or snake_case names switch rarely).
func randomLooking(s string) bool {
	var up, low, dig, switches, n int
	prev := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		cls := -1
		switch {
		case c >= 'A' && c <= 'Z':
			up, cls = up+1, 0
		case c >= 'a' && c <= 'z':
			low, cls = low+1, 1
		case c >= '0' && c <= '9':
			dig, cls = dig+1, 2
		}
		if cls < 0 {
			continue
		}
		if prev >= 0 && cls != prev {
			switches++
		}
		prev = cls
		n++
	}
	return up >= 3 && low >= 3 && dig >= 3 && float64(switches) >= 0.3*float64(n)
}

// replacement is one placeholder in a redacted text: [at, at+len(ph)) in the
// redacted text stands for [orig, origEnd) in the original.
type replacement struct {
	at, end       int
	orig, origEnd int
}

// redacted is a text with secrets replaced by placeholders, and the
// information needed to map offsets back to the original.
type redacted struct {
	text  string
	repls []replacement // sorted by at
}

// redact replaces secrets and personal data in s with placeholders and adds
// one to counts[kind] for each. counts may be nil.
func redact(s string, counts map[string]int64) redacted {
	type cand struct {
		start, end int
		kind       string
	}
	var picked []cand
	overlaps := func(a, b int) bool {
		for _, c := range picked {
			if a < c.end && c.start < b {
				return true
			}
		}
		return false
	}
	for _, r := range redactRules {
		for _, m := range r.re.FindAllStringSubmatchIndex(s, -1) {
			a, b := m[2*r.group], m[2*r.group+1]
			if a < 0 || (r.ok != nil && !r.ok(s[a:b])) || overlaps(a, b) {
				continue
			}
			picked = append(picked, cand{a, b, r.kind})
		}
	}
	if len(picked) == 0 {
		return redacted{text: s}
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].start < picked[j].start })
	var b strings.Builder
	out := redacted{repls: make([]replacement, 0, len(picked))}
	last := 0
	for _, c := range picked {
		b.WriteString(s[last:c.start])
		ph := placeholders[c.kind]
		at := b.Len()
		b.WriteString(ph)
		out.repls = append(out.repls, replacement{at: at, end: at + len(ph), orig: c.start, origEnd: c.end})
		last = c.end
		if counts != nil {
			counts[c.kind]++
		}
	}
	b.WriteString(s[last:])
	out.text = b.String()
	return out
}

// original maps the byte range [start, end) of the redacted text back to the
// original text. It reports false when the range touches a placeholder.
func (r redacted) original(start, end int) (int, int, bool) {
	delta := 0
	for _, p := range r.repls {
		if start < p.end && p.at < end {
			return 0, 0, false
		}
		if p.end <= start {
			delta = p.origEnd - p.end
		}
	}
	return start + delta, end + delta, true
}

// Redact returns s as a Judge sends it unless Config.NoRedact is set: with
// e-mail addresses, phone numbers, API keys and tokens replaced by
// placeholders such as <EMAIL>. Servers and test doubles that look texts
// up by content use it to match what they receive.
func Redact(s string) string { return redact(s, nil).text }
