package conversation

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// Go mirrors of the WildChat and LMSYS-Chat-1M Parquet schemas. The json tags
// name the same keys, so a JSON record produced from a row decodes back into
// the struct the row was written from.

type wildChatTurn struct {
	Content        string     `parquet:"content" json:"content"`
	Language       string     `parquet:"language" json:"language"`
	Redacted       bool       `parquet:"redacted" json:"redacted"`
	Role           string     `parquet:"role" json:"role"`
	Timestamp      *time.Time `parquet:"timestamp,optional,timestamp(microsecond)" json:"timestamp"`
	Toxic          bool       `parquet:"toxic" json:"toxic"`
	TurnIdentifier int64      `parquet:"turn_identifier" json:"turn_identifier"`
}

type moderationCategories struct {
	Harassment            bool `parquet:"harassment" json:"harassment"`
	HarassmentThreatening bool `parquet:"harassment/threatening" json:"harassment/threatening"`
	SelfHarm              bool `parquet:"self-harm" json:"self-harm"`
	Sexual                bool `parquet:"sexual" json:"sexual"`
	Violence              bool `parquet:"violence" json:"violence"`
}

type moderationScores struct {
	Harassment            float64 `parquet:"harassment" json:"harassment"`
	HarassmentThreatening float64 `parquet:"harassment/threatening" json:"harassment/threatening"`
	SelfHarm              float64 `parquet:"self-harm" json:"self-harm"`
	Sexual                float64 `parquet:"sexual" json:"sexual"`
	Violence              float64 `parquet:"violence" json:"violence"`
}

type moderation struct {
	Categories     moderationCategories `parquet:"categories" json:"categories"`
	CategoryScores moderationScores     `parquet:"category_scores" json:"category_scores"`
	Flagged        bool                 `parquet:"flagged" json:"flagged"`
}

type detoxify struct {
	IdentityAttack float64 `parquet:"identity_attack" json:"identity_attack"`
	Insult         float64 `parquet:"insult" json:"insult"`
	Obscene        float64 `parquet:"obscene" json:"obscene"`
	SevereToxicity float64 `parquet:"severe_toxicity" json:"severe_toxicity"`
	SexualExplicit float64 `parquet:"sexual_explicit" json:"sexual_explicit"`
	Threat         float64 `parquet:"threat" json:"threat"`
	Toxicity       float64 `parquet:"toxicity" json:"toxicity"`
}

type wildChatHeader struct {
	AcceptLanguage *string `parquet:"accept-language,optional" json:"accept-language"`
	UserAgent      *string `parquet:"user-agent,optional" json:"user-agent"`
}

// wildChatRow is one row of a WildChat Parquet shard.
type wildChatRow struct {
	ConversationHash   string         `parquet:"conversation_hash" json:"conversation_hash"`
	Model              string         `parquet:"model" json:"model"`
	Timestamp          time.Time      `parquet:"timestamp,timestamp(microsecond)" json:"timestamp"`
	Conversation       []wildChatTurn `parquet:"conversation,list" json:"conversation"`
	Turn               int64          `parquet:"turn" json:"turn"`
	Language           string         `parquet:"language" json:"language"`
	OpenAIModeration   []moderation   `parquet:"openai_moderation,list" json:"openai_moderation"`
	DetoxifyModeration []detoxify     `parquet:"detoxify_moderation,list" json:"detoxify_moderation"`
	Toxic              bool           `parquet:"toxic" json:"toxic"`
	Redacted           bool           `parquet:"redacted" json:"redacted"`
	State              *string        `parquet:"state,optional" json:"state"`
	Country            *string        `parquet:"country,optional" json:"country"`
	HashedIP           string         `parquet:"hashed_ip" json:"hashed_ip"`
	Header             wildChatHeader `parquet:"header" json:"header"`
}

type lmsysTurn struct {
	Content string `parquet:"content" json:"content"`
	Role    string `parquet:"role" json:"role"`
}

// lmsysRow is one row of an LMSYS-Chat-1M Parquet shard.
type lmsysRow struct {
	ConversationID   string       `parquet:"conversation_id" json:"conversation_id"`
	Model            string       `parquet:"model" json:"model"`
	Conversation     []lmsysTurn  `parquet:"conversation,list" json:"conversation"`
	Turn             int64        `parquet:"turn" json:"turn"`
	Language         string       `parquet:"language" json:"language"`
	OpenAIModeration []moderation `parquet:"openai_moderation,list" json:"openai_moderation"`
	Redacted         bool         `parquet:"redacted" json:"redacted"`
}

// writeParquet writes rows as a Parquet file with rowsPerGroup rows per row
// group (0 for the library default) and small pages, so that even small test
// files have several row groups and pages.
func writeParquet[T any](t testing.TB, rows []T, rowsPerGroup int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	opts := []parquet.WriterOption{parquet.PageBufferSize(4 << 10)}
	if rowsPerGroup > 0 {
		opts = append(opts, parquet.MaxRowsPerRowGroup(rowsPerGroup))
	}
	w := parquet.NewGenericWriter[T](&buf, opts...)
	_, err := w.Write(rows)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// writeWildChatParquet returns a Parquet file with WildChat's schema holding
// rows, three rows per row group.
func writeWildChatParquet(t testing.TB, rows []wildChatRow) []byte {
	t.Helper()
	return writeParquet(t, rows, 3)
}

// writeLMSYSParquet returns a Parquet file with LMSYS-Chat-1M's schema holding
// rows, two rows per row group.
func writeLMSYSParquet(t testing.TB, rows []lmsysRow) []byte {
	t.Helper()
	return writeParquet(t, rows, 2)
}

// parquetResult is one item read from a parquet source: a record (copied) or
// a per-record error.
type parquetResult struct {
	rec []byte
	loc Location
	err error
}

// readParquetSource opens data with newParquetSource and returns everything
// it yields up to io.EOF.
func readParquetSource(t testing.TB, data []byte, name string, maxRecordSize int) []parquetResult {
	t.Helper()
	src, err := newParquetSource(bytes.NewReader(data), int64(len(data)), name, maxRecordSize)
	require.NoError(t, err)
	var out []parquetResult
	for {
		rec, loc, err := src.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			var pe *ParseError
			require.ErrorAs(t, err, &pe, "a per-row error must be a *ParseError")
		}
		out = append(out, parquetResult{rec: bytes.Clone(rec), loc: loc, err: err})
		require.Less(t, len(out), 1_000_000, "source does not end")
	}
}

func ptr[T any](v T) *T { return &v }

// sampleWildChatRows returns n WildChat rows exercising nulls, non-English
// text, emoji, escapes, long messages and a conversation starting with an
// assistant turn.
func sampleWildChatRows(n int) []wildChatRow {
	texts := []string{
		"How do I reverse a list in Python?",
		"Use `reversed(xs)` or `xs[::-1]`.\nBoth work.",
		"Non, ce n'est pas ce que je voulais dire — réessaie.",
		"这不对，请再试一次。",
		"Quote \" backslash \\ tab\t control \x01 and </script> 🙂👍🏽",
		"",
	}
	base := time.Date(2023, 4, 9, 0, 15, 37, 123456000, time.UTC)
	rows := make([]wildChatRow, n)
	for i := range rows {
		nturns := 2 + i%4
		conv := make([]wildChatTurn, nturns)
		for j := range conv {
			role := "user"
			if j%2 == 1 {
				role = "assistant"
			}
			if i == 1 && j == 0 {
				role = "assistant" // a dump that starts with an assistant turn
			}
			turn := wildChatTurn{
				Content:        texts[(i+j)%len(texts)],
				Language:       []string{"English", "French", "Chinese"}[(i+j)%3],
				Redacted:       (i+j)%5 == 0,
				Role:           role,
				Toxic:          (i*j)%7 == 3,
				TurnIdentifier: int64(100000*i + j),
			}
			if role == "assistant" {
				turn.Timestamp = ptr(base.Add(time.Duration(i*60+j) * time.Second))
			}
			conv[j] = turn
		}
		if i == 2 {
			conv[0].Content = string(bytes.Repeat([]byte("long message "), 20_000))
		}
		row := wildChatRow{
			ConversationHash: "c0ffee" + string(rune('a'+i%26)) + string(rune('0'+i%10)),
			Model:            []string{"gpt-3.5-turbo-0301", "gpt-4-0314"}[i%2],
			Timestamp:        base.Add(time.Duration(i) * time.Hour),
			Conversation:     conv,
			Turn:             int64(nturns / 2),
			Language:         []string{"English", "French", "Chinese"}[i%3],
			Toxic:            i%4 == 0,
			Redacted:         i%3 == 0,
			HashedIP:         "9f86d081884c7d659a2feaa0c55ad015",
			Header:           wildChatHeader{UserAgent: ptr("Mozilla/5.0 (X11; Linux x86_64)")},
		}
		for range nturns {
			row.OpenAIModeration = append(row.OpenAIModeration, moderation{
				Categories:     moderationCategories{Harassment: i%2 == 0, SelfHarm: i%3 == 0},
				CategoryScores: moderationScores{Harassment: 0.25 * float64(i%4), Violence: 1e-7 * float64(i+1), SelfHarm: 0.5},
				Flagged:        i%2 == 0,
			})
			row.DetoxifyModeration = append(row.DetoxifyModeration, detoxify{Insult: 0.001 * float64(i), Toxicity: 0.75})
		}
		if i%2 == 0 {
			row.State = ptr("Île-de-France")
			row.Country = ptr("France")
			row.Header.AcceptLanguage = ptr("fr-FR,fr;q=0.9")
		}
		rows[i] = row
	}
	return rows
}

// sampleLMSYSRows returns n LMSYS-Chat-1M rows.
func sampleLMSYSRows(n int) []lmsysRow {
	rows := make([]lmsysRow, n)
	for i := range rows {
		conv := []lmsysTurn{
			{Role: "user", Content: "Was ist die Hauptstadt von Australien?"},
			{Role: "assistant", Content: "Sydney."},
		}
		if i%2 == 1 {
			conv = append(conv,
				lmsysTurn{Role: "user", Content: "Nein, das stimmt nicht. Versuch es noch einmal."},
				lmsysTurn{Role: "assistant", Content: "Entschuldigung: Canberra ist die Hauptstadt. 🇦🇺"})
		}
		rows[i] = lmsysRow{
			ConversationID: "lmsys-" + string(rune('a'+i%26)),
			Model:          []string{"vicuna-13b", "koala-13b", "alpaca-13b"}[i%3],
			Conversation:   conv,
			Turn:           int64(len(conv) / 2),
			Language:       "German",
			Redacted:       i%2 == 0,
		}
		for range conv {
			rows[i].OpenAIModeration = append(rows[i].OpenAIModeration, moderation{
				CategoryScores: moderationScores{Sexual: 1.5e-5 * float64(i)},
			})
		}
	}
	return rows
}
