package heuristics

import "strings"

var languageNames = map[string]string{
	"english": "en", "chinese": "zh", "mandarin": "zh", "russian": "ru", "spanish": "es",
	"french": "fr", "german": "de", "portuguese": "pt", "italian": "it", "japanese": "ja",
	"korean": "ko", "dutch": "nl", "polish": "pl", "turkish": "tr", "arabic": "ar",
	"swedish": "sv", "norwegian": "no", "hungarian": "hu", "ukrainian": "uk",
	"vietnamese": "vi", "indonesian": "id", "persian": "fa", "hindi": "hi",
}

// LanguageCode maps a conversation language, given as an English name
// ("English", "Chinese") or a BCP 47 tag ("en", "zh-CN", "pt_BR"), to its
// ISO 639-1 code. It returns "" when the language is unknown.
func LanguageCode(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if l == "" {
		return ""
	}
	if c, ok := languageNames[l]; ok {
		return c
	}
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if len(l) == 2 {
		return l
	}
	switch l { // a few ISO 639-2/3 codes seen in logs
	case "eng":
		return "en"
	case "zho", "chi", "cmn":
		return "zh"
	case "rus":
		return "ru"
	case "spa":
		return "es"
	case "fra", "fre":
		return "fr"
	case "deu", "ger":
		return "de"
	case "por":
		return "pt"
	}
	return ""
}
