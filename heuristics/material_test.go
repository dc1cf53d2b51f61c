package heuristics

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMaterialExamItem(t *testing.T) {
	exam := "Question 3: Which statement is wrong?\nA) The heart has four chambers\nB) Blood is always red\n" +
		"C) Veins carry blood to the heart\nD) None of the above is incorrect"
	a := analyze(t, "1. B\n2. C", exam)
	assert.Zero(t, a.DSAT, a.String())
	assert.Contains(t, guards(a), GuardMaterial)

	// Options without a lead colon: the block and the question above it.
	a = analyze(t, "1. B\n2. C", "Next one.\n\nWhich of these is not correct?\na) water boils at 100C\nb) ice floats\nc) steam is cold")
	assert.Zero(t, a.DSAT, a.String())

	// A reaction before the item still counts, on its own paragraph or on
	// the line above the question.
	a = analyze(t, "1. B\n2. C", "That's wrong, it was C.\n\nWhich of these is not correct?\na) water boils at 100C\nb) ice floats")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, a.String())
	a = analyze(t, "1. B\n2. C", "That's wrong, it was C.\nWhich of these is not correct?\na) water boils at 100C\nb) ice floats")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, a.String())
}

func TestMaterialAfterLeadColon(t *testing.T) {
	pasted := "The company said the results were wrong and the team tried again to fix the errors, but it still " +
		"didn't work. Management said the approach was not what they wanted and asked for a different version by " +
		"Friday. The engineers were frustrated: the data was useless and the deadline was unrealistic. In the end " +
		"they started over from scratch and delivered a shorter report that nobody read. Its summary was wrong " +
		"again, and the board asked them to redo it."
	a := analyze(t, plainReply, "Summarise this article for me:\n"+pasted)
	assert.Zero(t, a.DSAT, a.String())
	assert.Contains(t, guards(a), GuardMaterial)

	// The user's own closing paragraph after the material is not material.
	a = analyze(t, plainReply, "Summarise this article for me:\n"+pasted+"\n\nAnd this time don't repeat the same thing, that's not what I asked.")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, a.String())

	// A short instruction after a colon is the user's own words.
	a = analyze(t, plainReply, "Two things: this is wrong and you ignored my question.")
	assert.GreaterOrEqual(t, a.DSAT, 0.5, a.String())
}

func TestLeadColon(t *testing.T) {
	for text, want := range map[string]bool{
		"Rewrite this paragraph: some text":           true,
		"see http://example.com and more":             false,
		"at 10:30 the meeting starts":                 false,
		"No: wrong":                                   false, // one word
		"That is wrong. Rewrite this paragraph: text": false, // a sentence ends first
		strings.Repeat("word ", 40) + ": late":        false,
	} {
		assert.Equal(t, want, leadColon(text) > 0, text)
	}
}

func TestIsOptionLine(t *testing.T) {
	for line, want := range map[string]bool{
		"A) The heart":    true,
		"  b. ice floats": true,
		"(c) steam":       true,
		"E: none":         true,
		"F) six":          false,
		"A)":              false,
		"Also, this":      false,
		"a.b.c":           false,
	} {
		assert.Equal(t, want, isOptionLine(line), line)
	}
}
