// Package wildchat generates deterministic, WildChat-like chat logs for
// dsatmine's benchmarks.
//
// Records have the WildChat field layout (conversation hash, model,
// timestamps, per-message metadata, moderation results) so that decoding
// costs what it costs on the real corpus. The text is assembled from
// templates and word lists written for this package: requests, replies with
// and without code blocks, pasted documents, and follow-ups of which about
// 12% express dissatisfaction, in English, Chinese, Russian, Spanish,
// French, Portuguese and German. The same seed and size always give the
// same bytes, and a smaller size gives a prefix of a larger one.
package wildchat

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Stats describes a generated corpus.
type Stats struct {
	Bytes, Conversations int64
	// FollowUps counts user turns after the first; DSAT those written as
	// dissatisfied.
	FollowUps, DSAT int64
}

// Generate writes whole JSON Lines records to w until at least size bytes
// are written.
func Generate(w io.Writer, size int64, seed uint64) (Stats, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x5eed)), start: time.Date(2023, 4, 9, 0, 0, 0, 0, time.UTC)}
	var buf []byte
	for g.st.Bytes < size {
		buf = g.record(buf[:0])
		if _, err := bw.Write(buf); err != nil {
			return g.st, err
		}
		g.st.Bytes += int64(len(buf))
		g.st.Conversations++
	}
	return g.st, bw.Flush()
}

type gen struct {
	rng   *rand.Rand
	start time.Time
	n     int
	st    Stats
}

// message is one turn before encoding.
type message struct {
	role, text string
}

func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// lang picks a language with a WildChat-like mix.
func (g *gen) lang() *language {
	x := g.rng.Float64()
	for i := range languages {
		if x < languages[i].share {
			return &languages[i]
		}
		x -= languages[i].share
	}
	return &languages[0]
}

// turns draws the number of user turns: mostly one or two, a long tail.
func (g *gen) turns() int {
	n := 1
	for n < 12 && g.rng.Float64() < 0.45 {
		n++
	}
	return n
}

func (g *gen) record(dst []byte) []byte {
	g.n++
	l := g.lang()
	turns := g.turns()
	var msgs []message
	topic := g.pick(l.topics)
	coding := g.rng.Float64() < 0.3
	for t := range turns {
		var user string
		switch {
		case t == 0 && coding:
			user = fmt.Sprintf(g.pick(l.codeRequests), g.pick(codeTasks))
		case t == 0:
			user = fmt.Sprintf(g.pick(l.requests), topic)
			if g.rng.Float64() < 0.08 { // a pasted document
				user += "\n\n" + g.paragraphs(l, 4+g.rng.IntN(12))
			}
		default:
			g.st.FollowUps++
			switch x := g.rng.Float64(); {
			case x < 0.12:
				g.st.DSAT++
				user = g.pick(l.dsat)
				if g.rng.Float64() < 0.5 {
					user += " " + fmt.Sprintf(g.pick(l.requests), topic)
				}
			case x < 0.17:
				user = g.pick(l.sat)
			default:
				user = fmt.Sprintf(g.pick(l.followUps), g.pick(l.topics))
				if g.rng.Float64() < 0.3 {
					user += " " + g.sentence(l)
				}
			}
		}
		msgs = append(msgs, message{"user", user})
		msgs = append(msgs, message{"assistant", g.reply(l, coding)})
	}
	return g.encode(dst, l, msgs)
}

// reply writes an assistant reply of a log-normal length, with code when the
// conversation is about code.
func (g *gen) reply(l *language, coding bool) string {
	var b strings.Builder
	b.WriteString(g.pick(l.openers))
	b.WriteString("\n\n")
	paras := max(1, int(math.Exp(g.rng.NormFloat64()*0.7+1.1)))
	for p := range paras {
		b.WriteString(g.paragraph(l))
		b.WriteString("\n\n")
		if coding && p == 0 {
			b.WriteString(g.code())
			b.WriteString("\n\n")
		}
		if g.rng.Float64() < 0.15 {
			for i := range 2 + g.rng.IntN(4) {
				fmt.Fprintf(&b, "%d. %s\n", i+1, g.sentence(l))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString(g.pick(l.closers))
	return b.String()
}

func (g *gen) paragraphs(l *language, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.paragraph(l)
	}
	return strings.Join(parts, "\n\n")
}

func (g *gen) paragraph(l *language) string {
	n := 2 + g.rng.IntN(5)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.sentence(l)
	}
	return strings.Join(parts, l.space)
}

// sentence strings words of the language together.
func (g *gen) sentence(l *language) string {
	n := 6 + g.rng.IntN(14)
	var b strings.Builder
	for i := range n {
		w := g.pick(l.words)
		if i == 0 && l.space != "" {
			r, size := utf8.DecodeRuneInString(w)
			w = strings.ToUpper(string(r)) + w[size:]
		} else if i > 0 {
			b.WriteString(l.space)
		}
		b.WriteString(w)
		if i > 2 && i < n-2 && g.rng.Float64() < 0.08 {
			b.WriteString(l.comma)
		}
	}
	b.WriteString(l.stop)
	return b.String()
}

func (g *gen) code() string {
	var b strings.Builder
	lang := g.pick([]string{"python", "javascript", "go", "sql", "bash"})
	fmt.Fprintf(&b, "```%s\n", lang)
	lines := 4 + g.rng.IntN(30)
	indent := 0
	for range lines {
		b.WriteString(strings.Repeat("    ", indent))
		b.WriteString(fmt.Sprintf(g.pick(codeLines), g.pick(identifiers), g.pick(identifiers)))
		b.WriteByte('\n')
		switch x := g.rng.Float64(); {
		case x < 0.2 && indent < 3:
			indent++
		case x < 0.4 && indent > 0:
			indent--
		}
	}
	b.WriteString("```")
	return b.String()
}

var moderationCategories = []string{
	"harassment", "harassment/threatening", "hate", "hate/threatening", "self-harm",
	"self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic",
}

// encode writes msgs as one WildChat-layout record.
func (g *gen) encode(dst []byte, l *language, msgs []message) []byte {
	ts := g.start.Add(time.Duration(g.n) * 17 * time.Second)
	hash := fmt.Sprintf("%016x%016x", g.rng.Uint64(), g.rng.Uint64())
	ip := fmt.Sprintf("%016x%016x%016x%016x", g.rng.Uint64(), g.rng.Uint64(), g.rng.Uint64(), g.rng.Uint64())
	model := g.pick([]string{"gpt-3.5-turbo-0613", "gpt-4-0314", "gpt-3.5-turbo-0301", "gpt-4-1106-preview", "gpt-4o-2024-05-13"})
	country, state := g.pick(l.countries), g.pick([]string{"", "California", "Ontario", "Bavaria", "Moscow", "Guangdong", "Texas"})
	header := `{"accept-language": "` + l.accept + `", "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"}`

	dst = append(dst, `{"conversation_hash": `...)
	dst = appendString(dst, hash)
	dst = append(dst, `, "model": `...)
	dst = appendString(dst, model)
	dst = append(dst, `, "timestamp": `...)
	dst = appendString(dst, ts.Format(time.RFC3339))
	dst = append(dst, `, "conversation": [`...)
	for i, m := range msgs {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, `{"content": `...)
		dst = appendString(dst, m.text)
		dst = append(dst, `, "language": `...)
		dst = appendString(dst, l.name)
		dst = append(dst, `, "redacted": false, "role": `...)
		dst = appendString(dst, m.role)
		if m.role == "user" {
			dst = append(dst, `, "timestamp": null`...)
		} else {
			dst = append(dst, `, "timestamp": `...)
			dst = appendString(dst, ts.Add(time.Duration(i)*9*time.Second).Format(time.RFC3339))
		}
		dst = append(dst, `, "toxic": false, "turn_identifier": `...)
		dst = strconv.AppendInt(dst, int64(g.n)*100+int64(i/2), 10)
		if m.role == "user" {
			dst = append(dst, `, "country": `...)
			dst = appendString(dst, country)
			dst = append(dst, `, "state": `...)
			dst = appendString(dst, state)
			dst = append(dst, `, "hashed_ip": `...)
			dst = appendString(dst, ip)
			dst = append(dst, `, "header": `...)
			dst = append(dst, header...)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `], "turn": `...)
	dst = strconv.AppendInt(dst, int64(len(msgs)/2), 10)
	dst = append(dst, `, "language": `...)
	dst = appendString(dst, l.name)
	dst = append(dst, `, "openai_moderation": [`...)
	for i := range msgs {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, `{"categories": {`...)
		for k, c := range moderationCategories {
			if k > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendString(dst, c)
			dst = append(dst, ": false"...)
		}
		dst = append(dst, `}, "category_scores": {`...)
		for k, c := range moderationCategories {
			if k > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendString(dst, c)
			dst = append(dst, ": "...)
			dst = strconv.AppendFloat(dst, math.Exp(-6-8*g.rng.Float64()), 'e', 6, 64)
		}
		dst = append(dst, `}, "flagged": false}`...)
	}
	dst = append(dst, `], "detoxify_moderation": [`...)
	for i := range msgs {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, `{"identity_attack": `...)
		dst = strconv.AppendFloat(dst, 1e-4*g.rng.Float64(), 'f', 7, 64)
		dst = append(dst, `, "insult": `...)
		dst = strconv.AppendFloat(dst, 1e-3*g.rng.Float64(), 'f', 7, 64)
		dst = append(dst, `, "obscene": `...)
		dst = strconv.AppendFloat(dst, 1e-4*g.rng.Float64(), 'f', 7, 64)
		dst = append(dst, `, "severe_toxicity": `...)
		dst = strconv.AppendFloat(dst, 1e-5*g.rng.Float64(), 'f', 7, 64)
		dst = append(dst, `, "threat": `...)
		dst = strconv.AppendFloat(dst, 1e-4*g.rng.Float64(), 'f', 7, 64)
		dst = append(dst, `, "toxicity": `...)
		dst = strconv.AppendFloat(dst, 1e-3*g.rng.Float64(), 'f', 7, 64)
		dst = append(dst, '}')
	}
	dst = append(dst, `], "toxic": false, "redacted": false, "state": `...)
	dst = appendString(dst, state)
	dst = append(dst, `, "country": `...)
	dst = appendString(dst, country)
	dst = append(dst, `, "hashed_ip": `...)
	dst = appendString(dst, ip)
	dst = append(dst, `, "header": `...)
	dst = append(dst, header...)
	dst = append(dst, "}\n"...)
	return dst
}

// appendString appends s as a JSON string. Non-ASCII text is written as
// UTF-8, as WildChat dumps from Python with ensure_ascii=False would be.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
