package heuristics

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a pasted-material lead: the colon that introduces the material
// ends a lead of at most materialLead bytes and two or more words, and
// the material after it holds at least materialMin bytes or three lines.
const (
	materialLead = 160
	materialMin  = 400
)

// materialRegions appends the pasted-material regions of text to dst:
//
//   - after a short lead that ends in a colon ("Rewrite this paragraph:",
//     "Answer the following question:"), the material up to its last
//     paragraph when that paragraph is the user's own closing words (a
//     short paragraph after a blank line);
//   - a multiple-choice item: two or more consecutive option lines ("A)
//     …", "b. …", "(c) …") with the question on the line above them.
func materialRegions(text string, dst []region) []region {
	if c := leadColon(text); c > 0 {
		body := strings.TrimSpace(text[c:])
		if len(body) >= materialMin || strings.Count(body, "\n") >= 2 {
			end := len(text)
			if p := strings.LastIndex(text, "\n\n"); p > c {
				if tail := strings.TrimSpace(text[p:]); tail != "" && len(tail) <= frameBytes && strings.Count(text[c:p], "\n") >= 1 {
					end = p
				}
			}
			dst = append(dst, region{c, end, GuardMaterial})
		}
	}
	return optionBlocks(text, dst)
}

// leadColon returns the offset just after the colon that ends text's lead,
// or 0: a colon followed by white space, within the first materialLead
// bytes, after two or more words on the first line, with no sentence end
// before it.
func leadColon(text string) int {
	lead := capText(text, materialLead)
	i := strings.IndexByte(lead, ':')
	if i < 0 || i+1 >= len(text) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(text[i+1:])
	if !unicode.IsSpace(r) {
		return 0 // "http://", "10:30", "C:\"
	}
	before := text[:i]
	if strings.ContainsAny(before, "\n.!?") || len(strings.Fields(before)) < 2 {
		return 0
	}
	return i + 1
}

// optionBlocks appends a region for every run of two or more consecutive
// option lines, widened to the line just above the run when it is not blank
// (the question they answer). Lines further up stay the user's own words:
// "That's wrong, it was C." on the line before a new question still counts.
func optionBlocks(text string, dst []region) []region {
	runStart, runEnd, n := -1, -1, 0
	prev := -1 // start of the previous line when it was not blank, else -1
	flush := func() {
		if n >= 2 {
			dst = append(dst, region{runStart, runEnd, GuardMaterial})
		}
		runStart, runEnd, n = -1, -1, 0
	}
	for pos := 0; pos < len(text); {
		end := lineEnd(text, pos)
		line := text[pos:end]
		switch {
		case isOptionLine(line):
			if n == 0 {
				runStart = pos
				if prev >= 0 {
					runStart = prev
				}
			}
			runEnd, n = end, n+1
			prev = pos
		case strings.TrimSpace(line) == "":
			flush()
			prev = -1
		default:
			flush()
			prev = pos
		}
		pos = end + 1
	}
	flush()
	return dst
}

// isOptionLine reports whether line is a multiple-choice option: a letter
// A–E (either case) written "A)", "A.", "A:" or "(A)", then text.
func isOptionLine(line string) bool {
	s := strings.TrimLeft(line, " \t")
	if strings.HasPrefix(s, "(") {
		s = s[1:]
		if len(s) < 3 || s[1] != ')' {
			return false
		}
	} else if len(s) < 3 || (s[1] != ')' && s[1] != '.' && s[1] != ':') {
		return false
	}
	c := s[0] | 0x20
	if c < 'a' || c > 'e' {
		return false
	}
	rest := strings.TrimSpace(s[2:])
	return rest != "" && s[2] == ' '
}
