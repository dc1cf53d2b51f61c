package heuristics

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGuessLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"Can you make it shorter? The list is too long for my slides.": "en",
		"¿Podrías hacerla menos extensa? Es para un correo.":           "es",
		"no es lo que te pedi, quiero la lista de los presidentes":     "es",
		"Перепиши так, чтобы герой был настроен пессимистично.":        "ru",
		"Це не те, що я просив, і відповідь занадто довга.":            "uk",
		"不对吧，我问的是消息队列的拆分。":                                             "zh",
		"それは違います。もう一度説明してください。":                                        "ja",
		"Non, ce n'est pas ce que je voulais, je veux une liste.":      "fr",
		"Das ist nicht richtig, ich wollte eine kürzere Antwort.":      "de",
		"Não é isso que eu pedi, você pode refazer?":                   "pt",
		"":                   "",
		"12345 !!!":          "",
		"ok":                 "",
		"print(df.head()) 🙂": "",
	} {
		assert.Equal(t, want, GuessLanguage(text), "%q", text)
	}
}

// Re-asks are found in every script when the log names no language:
// Spanish through its stemmer and stop words, Chinese through character
// bigrams.
func TestRephraseOtherScripts(t *testing.T) {
	for _, c := range []struct{ req, fu string }{
		{"¿Cuáles fueron los presidentes democráticos de Argentina desde 1983?",
			"cuales fueron los presidentes democraticos de argentina desde 1983"},
		{"Какие методики подойдут, чтобы научить ребёнка считать до десяти?",
			"какие методики подходят чтобы научить ребенка считать до десяти"},
		{"微服务中的消息队列需要单独拆分成一个服务吗？", "微服务里消息队列需要单独拆分成一个服务吗"},
	} {
		a := Default().Analyze(turnOf("", c.req, "Una respuesta. Ответ. 回答。", c.fu))
		var found bool
		for _, s := range a.Signals {
			found = found || s.Detector == DetectorRephrase
		}
		assert.True(t, found, "%q: %s", c.fu, a)
	}
	// A new question on the same topic shares words but is not a re-ask.
	a := Default().Analyze(turnOf("", "微服务中的消息队列需要单独拆分成一个服务吗？", "需要。",
		"那数据库呢？每个服务都要有自己的数据库吗？"))
	for _, s := range a.Signals {
		assert.NotEqual(t, DetectorRephrase, s.Detector, "%s", a)
	}
}

// Cue classes of the revised Spanish, Russian and Chinese lexicons, with
// the language named and not named, and the guards that keep them
// precise.
func TestRevisedLexiconCues(t *testing.T) {
	reply := "Aquí tienes la respuesta. Вот ответ. 这是回答。"
	for _, c := range []struct {
		lang, fu string
		cat      Category
	}{
		{"es", "¿Podrías hacerla menos extensa?", Preference},
		{"es", "no me entendiste, te pregunte por el precio", Complaint},
		{"", "Me refiero al experimento mental, no a su gato.", Correction},
		{"es", "Sigue sin funcionar.", Complaint},
		{"ru", "Ты не так понял, мне нужна таблица.", Complaint},
		{"", "Нет, я хочу научить ребёнка сам.", Correction},
		{"ru", "Всё ещё не работает.", Complaint},
		{"zh", "不对吧，应该是三个。", Doubt},
		{"", "还是不行，又报错了", Complaint},
		{"zh", "你误会了，我问的是价格", Complaint},
		{"zh", "简单点", Preference},
	} {
		a := Default().Analyze(turnOf(c.lang, "Pregunta. Вопрос. 问题。", reply, c.fu))
		checkSpans(t, c.fu, a)
		assert.GreaterOrEqual(t, a.Scores[c.cat], 0.5, "%q: %s", c.fu, a)
	}
	for _, fu := range []string{
		"Gracias, ahora lo entiendo.",             // no cue
		"需要重新启动电脑吗？",                              // 重新 in "restart"
		"这个方法行不行？",                                // 不行 inside 行不行
		"Это не может быть проще: спасибо!",       // не может быть not at the start
		"Не могли бы вы рассказать про Париж?",    // polite request
		"¿Y cómo se hace en formato PDF? Gracias", // a question
	} {
		a := Default().Analyze(turnOf("", "Pregunta. Вопрос. 问题。", reply, fu))
		assert.Empty(t, a.Categories(0.5), "%q: %s", fu, a)
	}
}

func BenchmarkGuessLanguage(b *testing.B) {
	text := strings.Repeat("¿Podrías hacerla menos extensa? Es para un correo a mi jefe, gracias. ", 16)
	b.SetBytes(int64(min(len(text), guessBytes)))
	b.ReportAllocs()
	for b.Loop() {
		if GuessLanguage(text) != "es" {
			b.Fatal("not es")
		}
	}
}
