package classifier

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The similarity features work in other scripts: Chinese by character
// bigrams, Russian and Spanish by a prefix stem that lets inflected forms
// meet and without their function words.
func TestStemSetOtherLanguages(t *testing.T) {
	var sc scratch
	for _, c := range []struct{ a, b, other string }{
		{"微服务中的消息队列需要单独拆分吗", "消息队列需要单独拆分成服务吗", "今天北京天气怎么样"},
		{"Научи ребёнка считать до десяти", "как научить ребенка считать до десяти", "Какая погода в Париже"},
		{"Dame información sobre los presidentes democráticos", "información de presidentes democráticos", "Qué tiempo hace en París"},
	} {
		assert.Greater(t, jaccard(&sc, c.a, c.b), 0.4, "%q %q", c.a, c.b)
		assert.Equal(t, 0.0, jaccard(&sc, c.a, c.other), "%q %q", c.a, c.other)
	}
	// Function words alone share nothing.
	assert.Equal(t, 0.0, jaccard(&sc, "это не так", "не так это"))
	assert.Equal(t, 0.0, jaccard(&sc, "que es lo que", "lo que es"))
}

func TestReplyCuesOtherLanguages(t *testing.T) {
	for _, r := range []string{"Lo siento, pero no puedo ayudarte con eso.", "Как языковая модель, я не могу это сделать.",
		"作为一个语言模型，我不能联网。", "No puedo proporcionar esa información."} {
		assert.True(t, replyRefuses(r), r)
	}
	assert.False(t, replyRefuses("Claro, aquí tienes la receta."))
	for _, r := range []string{"Прошу прощения за ошибку.", "Tienes razón, me equivoqué.", "抱歉，我理解错了。", "Извините, вот исправленный вариант."} {
		assert.True(t, apologyCues.in(r, 80), r)
	}
	assert.False(t, apologyCues.in("Вот код функции на Rust.", 80))
}
