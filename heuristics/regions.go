package heuristics

import (
	"strings"
)

// region is a byte range of the original follow-up that is not evidence,
// with the name of the guard that excludes it.
type region struct {
	start, end int
	guard      string
}

// Guard names recorded in Suppressed.Guard.
const (
	GuardCode     = "code"     // inside a code block, indented code or inline code
	GuardQuote    = "quote"    // inside a "> " quoted line
	GuardCopied   = "copied"   // a line or quotation copied verbatim from the reply
	GuardNegation = "negation" // the cue is negated ("not wrong")
	GuardNeutral  = "neutral"  // the cue is part of a neutral phrase ("no problem")
	GuardContinue = "continue" // a continue request after a cut-off reply
	GuardAnswer   = "answer"   // a short answer to a question the reply asked
	GuardThanks   = "thanks"   // a thanks-only follow-up
	GuardAccept   = "accept"   // thanks with acceptance and only weak problem cues
	GuardNewTask  = "newtask"  // the follow-up starts a new or next-step task
	GuardBody     = "body"     // in the middle of a long follow-up (pasted material)
	GuardHolding  = "holding"  // a changed request after a reply that only said "let me look into it"
	GuardRestate  = "restate"  // the user restates their understanding and asks whether it is right
	// GuardMaterial: inside material pasted for the next task (the text
	// after "Summarise this article:", an exam question with its options).
	GuardMaterial = "material"
)

// minCopied is the length a line or quotation needs before it counts as
// copied from the reply.
const minCopied = 24

// findRegions appends the code and quote regions of text to dst. Text
// copied from the reply is found per cue by copiedAt, which is cheaper than
// searching the reply for every line.
func findRegions(text string, dst []region) []region {
	inFence := false
	fenceStart := 0
	var fenceMark string
	prevBlank, prevCode := true, false
	for pos := 0; pos < len(text); {
		end := lineEnd(text, pos)
		line := text[pos:end]
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		next := end + 1
		if next > len(text) {
			next = len(text)
		}
		if inFence {
			if indent <= 3 && strings.HasPrefix(trimmed, fenceMark) {
				dst = append(dst, region{fenceStart, end, GuardCode})
				inFence = false
			}
			pos = next
			prevBlank, prevCode = false, true
			continue
		}
		switch {
		case indent <= 3 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			inFence, fenceStart, fenceMark = true, pos, trimmed[:3]
			prevCode = true
		case strings.TrimSpace(line) == "":
			prevBlank, prevCode = true, false
			pos = next
			continue
		case (indent >= 4 || strings.HasPrefix(line, "\t")) && (prevBlank || prevCode):
			dst = append(dst, region{pos, end, GuardCode})
			prevCode = true
		case strings.HasPrefix(trimmed, ">"):
			dst = append(dst, region{pos, end, GuardQuote})
			prevCode = false
		default:
			prevCode = false
			dst = inlineCode(text, pos, end, dst)
		}
		prevBlank = false
		pos = next
	}
	if inFence {
		dst = append(dst, region{fenceStart, len(text), GuardCode})
	}
	return dst
}

// inlineCode marks `code` spans on the line text[pos:end].
func inlineCode(text string, pos, end int, dst []region) []region {
	for i := pos; i < end; {
		a := strings.IndexByte(text[i:end], '`')
		if a < 0 {
			break
		}
		a += i
		b := strings.IndexByte(text[a+1:end], '`')
		if b < 0 {
			break
		}
		b += a + 1
		dst = append(dst, region{a, b + 1, GuardCode})
		i = b + 1
	}
	return dst
}

// copiedAt reports whether the evidence text[s:e] lies in a line, or a
// quotation within its line, that the user copied verbatim from the reply.
func copiedAt(text string, s, e int, reply string) bool {
	if reply == "" {
		return false
	}
	pos := strings.LastIndexByte(text[:s], '\n') + 1
	end := strings.IndexByte(text[e:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += e
	}
	if t := strings.TrimSpace(text[pos:end]); len(t) >= minCopied && strings.Contains(reply, t) {
		return true
	}
	return regionAt(copiedQuotes(text, pos, end, reply, nil), s, e) != ""
}

// copiedQuotes marks quotations on the line text[pos:end] (between straight
// or curly double quotes) that are long and appear verbatim in the reply.
func copiedQuotes(text string, pos, end int, reply string, dst []region) []region {
	if reply == "" {
		return dst
	}
	line := text[pos:end]
	for i := 0; i < len(line); {
		a, alen := nextQuote(line[i:])
		if a < 0 {
			break
		}
		a += i
		b, blen := nextQuote(line[a+alen:])
		if b < 0 {
			break
		}
		b += a + alen
		q := strings.TrimSpace(line[a+alen : b])
		if len(q) >= minCopied && strings.Contains(reply, q) {
			dst = append(dst, region{pos + a, pos + b + blen, GuardCopied})
		}
		i = b + blen
	}
	return dst
}

func nextQuote(s string) (int, int) {
	best, size := -1, 0
	for _, q := range []string{"\"", "\u201C", "\u201D"} {
		if i := strings.Index(s, q); i >= 0 && (best < 0 || i < best) {
			best, size = i, len(q)
		}
	}
	return best, size
}

// regionAt returns the guard of the first region overlapping [s,e), or "".
func regionAt(rs []region, s, e int) string {
	for _, r := range rs {
		if s < r.end && r.start < e {
			return r.guard
		}
	}
	return ""
}

// lineEnd returns the offset of the line break that ends the line of text
// starting at pos, or len(text) for the last line.
func lineEnd(text string, pos int) int {
	if i := strings.IndexByte(text[pos:], '\n'); i >= 0 {
		return pos + i
	}
	return len(text)
}
