package wildchat

// The templates and word lists below were written for this generator. The
// %s in a request or follow-up template takes a topic (or a coding task).

// language is everything gen needs to write one language.
type language struct {
	name      string  // WildChat's language field
	share     float64 // fraction of conversations
	space     string  // between words ("" for Chinese)
	comma     string
	stop      string
	accept    string // accept-language header
	countries []string
	topics    []string
	requests  []string
	followUps []string
	dsat      []string // dissatisfied follow-ups
	sat       []string // satisfied follow-ups
	openers   []string
	closers   []string
	words     []string
	// codeRequests ask for code; they take a coding task in English.
	codeRequests []string
}

var codeTasks = []string{
	"parses a CSV file and prints the average of the second column",
	"retries an HTTP request three times with exponential backoff",
	"finds the longest common prefix of a list of strings",
	"reads a JSON config and validates the required keys",
	"counts word frequencies in a text file and prints the top ten",
	"merges two sorted lists into one sorted list",
	"converts a Roman numeral to an integer",
	"resizes every image in a folder to 800 pixels wide",
	"builds a REST endpoint that returns the current server time",
	"deduplicates rows of a table by email address",
}

var identifiers = []string{"items", "result", "count", "path", "row", "config", "buffer", "total", "index", "client", "response", "values", "key", "node", "limit"}

var codeLines = []string{
	"%s = load(%s)",
	"for %s in %s:",
	"if %s is None: return %s",
	"return sorted(%s, key=%s)",
	"const %s = await fetch(%s);",
	"%s := make(map[string]int, len(%s))",
	"SELECT %s, COUNT(*) FROM %s GROUP BY 1;",
	"echo \"$%s\" | grep -c %s",
	"# update %s before reading %s",
	"%s.append(%s)",
	"log.Printf(\"%%v %%v\", %s, %s)",
	"raise ValueError(f\"bad {%s}: {%s}\")",
}

var languages = []language{
	{
		name: "English", share: 0.55, space: " ", comma: ",", stop: ".",
		accept:    "en-US,en;q=0.9",
		countries: []string{"United States", "United Kingdom", "India", "Canada", "Australia", "Philippines"},
		topics: []string{"the French Revolution", "photosynthesis", "a marketing plan for a coffee shop", "the rules of chess",
			"a cover letter for a data analyst job", "climate change", "a bedtime story about a dragon", "the stock market",
			"a workout plan for beginners", "the history of the internet", "a wedding speech", "quantum computing",
			"a product description for wireless earbuds", "the causes of inflation", "a short poem about autumn"},
		requests: []string{"Write an essay about %s.", "Explain %s in simple terms.", "Can you give me a summary of %s?",
			"I need a detailed outline for %s.", "Tell me five interesting facts about %s.", "Write a story about %s.",
			"What are the pros and cons of %s?", "Help me write a short article on %s."},
		followUps: []string{"Now can you add a section about %s?", "Can you also explain %s?", "What about %s?",
			"Make a table comparing this with %s.", "Give me three more examples related to %s.", "Continue.",
			"How does this relate to %s?", "Can you expand the second point?"},
		dsat: []string{"That's not what I asked for. Try again.", "This is wrong, the answer doesn't make sense.",
			"No, you misunderstood me. Please read my question again.", "That's incorrect, the code doesn't work.",
			"You didn't answer my question.", "This is way too long, I said short. Rewrite it.",
			"Still wrong. Please try again and actually follow the instructions.", "Are you sure? That doesn't look right to me.",
			"Not helpful at all.", "You ignored what I said about the format. Do it again."},
		sat: []string{"Thanks, that's perfect!", "Great, this works. Thank you!", "Awesome, exactly what I needed.", "Perfect, thanks a lot."},
		openers: []string{"Sure! Here is what you asked for.", "Certainly.", "Here is a detailed answer.", "Great question!",
			"Of course. Let me break it down."},
		closers: []string{"Let me know if you want any changes.", "I hope this helps!", "Feel free to ask follow-up questions.",
			"Would you like me to expand on any part?"},
		words: []string{"the", "a", "system", "people", "because", "important", "which", "process", "result", "many", "different",
			"should", "example", "first", "also", "however", "information", "between", "energy", "market", "during", "their",
			"could", "include", "provide", "water", "history", "often", "level", "value", "change", "within", "several",
			"approach", "simple", "each", "group", "local", "model", "support", "early", "public", "growth", "method", "data",
			"light", "power", "form", "country", "research", "design", "clear", "strong", "single", "through", "small"},
		codeRequests: []string{"Write a Python function that %s.", "Can you write a script that %s?", "I need JavaScript code that %s.",
			"Show me how to write a Go program that %s."},
	},
	{
		name: "Chinese", share: 0.15, space: "", comma: "，", stop: "。",
		accept:    "zh-CN,zh;q=0.9",
		countries: []string{"China", "Taiwan", "Hong Kong", "Singapore"},
		topics: []string{"人工智能的发展", "中国古代历史", "环境保护", "大学生职业规划", "一家咖啡店的营销方案", "量子计算", "健康饮食",
			"城市交通问题", "唐诗的特点", "电子商务"},
		requests: []string{"请写一篇关于%s的文章。", "请简单解释一下%s。", "帮我总结一下%s。", "给我一个关于%s的大纲。",
			"关于%s，你有什么建议？"},
		followUps: []string{"能再详细说说%s吗？", "那%s呢？", "请继续。", "可以举几个关于%s的例子吗？", "把上面的内容整理成表格。"},
		dsat: []string{"不对，你理解错了我的意思。", "这不是我要的，请重新回答。", "你说的不对，再试一次。", "答非所问。",
			"太长了，我说了要简短，重写一下。", "你确定吗？我觉得不对。"},
		sat:     []string{"谢谢，非常好！", "太棒了，正是我需要的。", "好的，谢谢你。"},
		openers: []string{"好的，以下是我的回答。", "当然可以。", "这是一个很好的问题。"},
		closers: []string{"希望对你有帮助。", "如果需要修改，请告诉我。", "还有其他问题吗？"},
		words: []string{"我们", "发展", "社会", "问题", "重要", "经济", "技术", "文化", "方面", "可以", "需要", "进行", "人们", "影响",
			"历史", "环境", "系统", "方法", "提高", "管理", "学习", "生活", "企业", "市场", "能力", "国家", "数据", "研究"},
		codeRequests: []string{"用Python写一个程序，%s。", "请帮我写代码：%s。"},
	},
	{
		name: "Russian", share: 0.10, space: " ", comma: ",", stop: ".",
		accept:    "ru-RU,ru;q=0.9",
		countries: []string{"Russia", "Ukraine", "Kazakhstan", "Belarus"},
		topics: []string{"историю России", "искусственный интеллект", "экологию", "бизнес-план кафе", "здоровое питание",
			"космические исследования", "экономику", "литературу XIX века"},
		requests: []string{"Напиши сочинение про %s.", "Объясни простыми словами %s.", "Составь план статьи про %s.",
			"Расскажи интересные факты про %s."},
		followUps: []string{"А что насчет %s?", "Продолжи.", "Добавь раздел про %s.", "Сделай текст короче."},
		dsat: []string{"Это неправильно, попробуй еще раз.", "Ты не понял вопрос.", "Не то, я просил другое.",
			"Ты ошибся, перепиши ответ.", "Опять не то."},
		sat:     []string{"Спасибо, отлично!", "Супер, то что нужно.", "Спасибо большое."},
		openers: []string{"Конечно!", "Вот ответ на ваш вопрос.", "Хороший вопрос."},
		closers: []string{"Надеюсь, это поможет.", "Если нужно что-то изменить, скажите."},
		words: []string{"это", "который", "время", "человек", "развитие", "очень", "можно", "система", "результат", "важно", "также",
			"работа", "страна", "жизнь", "процесс", "данные", "общество", "история", "вопрос", "метод", "рынок", "энергия"},
		codeRequests: []string{"Напиши код на Python, который %s.", "Помоги написать скрипт: %s."},
	},
	{
		name: "Spanish", share: 0.06, space: " ", comma: ",", stop: ".",
		accept:    "es-ES,es;q=0.9",
		countries: []string{"Spain", "Mexico", "Argentina", "Colombia"},
		topics:    []string{"la historia de España", "el cambio climático", "un plan de negocios", "la inteligencia artificial", "la nutrición"},
		requests:  []string{"Escribe un ensayo sobre %s.", "Explícame %s de forma sencilla.", "Dame un resumen de %s."},
		followUps: []string{"¿Y qué pasa con %s?", "Continúa.", "Añade una sección sobre %s."},
		dsat: []string{"Eso no es lo que pedí, inténtalo de nuevo.", "Está mal, no entendiste la pregunta.",
			"No, eso es incorrecto.", "Demasiado largo, hazlo otra vez más corto."},
		sat:     []string{"¡Gracias, perfecto!", "Excelente, justo lo que necesitaba."},
		openers: []string{"¡Claro!", "Aquí tienes la respuesta."},
		closers: []string{"Espero que te sirva.", "¿Quieres que cambie algo?"},
		words: []string{"el", "la", "de", "sistema", "personas", "porque", "importante", "proceso", "resultado", "muchos", "diferentes",
			"ejemplo", "también", "información", "entre", "energía", "mercado", "historia", "valor", "cambio", "modelo"},
		codeRequests: []string{"Escribe una función en Python que %s."},
	},
	{
		name: "French", share: 0.05, space: " ", comma: ",", stop: ".",
		accept:    "fr-FR,fr;q=0.9",
		countries: []string{"France", "Belgium", "Canada", "Switzerland"},
		topics:    []string{"la Révolution française", "le réchauffement climatique", "un plan marketing", "l'intelligence artificielle"},
		requests:  []string{"Écris une dissertation sur %s.", "Explique-moi %s simplement.", "Fais-moi un résumé de %s."},
		followUps: []string{"Et pour %s ?", "Continue.", "Ajoute une partie sur %s."},
		dsat: []string{"Ce n'est pas ce que j'ai demandé, recommence.", "C'est faux, tu n'as pas compris.",
			"Non, ce n'est pas correct.", "Trop long, refais-le plus court."},
		sat:     []string{"Merci, c'est parfait !", "Super, exactement ce qu'il me fallait."},
		openers: []string{"Bien sûr !", "Voici la réponse."},
		closers: []string{"J'espère que cela vous aide.", "Voulez-vous des modifications ?"},
		words: []string{"le", "la", "des", "système", "personnes", "parce", "important", "processus", "résultat", "plusieurs",
			"exemple", "aussi", "information", "entre", "énergie", "marché", "histoire", "valeur", "changement", "modèle"},
		codeRequests: []string{"Écris une fonction Python qui %s."},
	},
	{
		name: "Portuguese", share: 0.05, space: " ", comma: ",", stop: ".",
		accept:    "pt-BR,pt;q=0.9",
		countries: []string{"Brazil", "Portugal"},
		topics:    []string{"a história do Brasil", "as mudanças climáticas", "um plano de negócios", "a inteligência artificial"},
		requests:  []string{"Escreva uma redação sobre %s.", "Explique %s de forma simples.", "Faça um resumo de %s."},
		followUps: []string{"E quanto a %s?", "Continue.", "Adicione uma seção sobre %s."},
		dsat: []string{"Não foi isso que eu pedi, tente de novo.", "Está errado, você não entendeu.",
			"Não, isso está incorreto.", "Muito longo, refaça mais curto."},
		sat:     []string{"Obrigado, perfeito!", "Ótimo, era isso que eu precisava."},
		openers: []string{"Claro!", "Aqui está a resposta."},
		closers: []string{"Espero ter ajudado.", "Quer que eu mude alguma coisa?"},
		words: []string{"o", "a", "de", "sistema", "pessoas", "porque", "importante", "processo", "resultado", "muitos", "diferentes",
			"exemplo", "também", "informação", "entre", "energia", "mercado", "história", "valor", "mudança", "modelo"},
		codeRequests: []string{"Escreva uma função em Python que %s."},
	},
	{
		name: "German", share: 0.04, space: " ", comma: ",", stop: ".",
		accept:    "de-DE,de;q=0.9",
		countries: []string{"Germany", "Austria", "Switzerland"},
		topics:    []string{"die Geschichte Deutschlands", "den Klimawandel", "einen Businessplan", "künstliche Intelligenz"},
		requests:  []string{"Schreibe einen Aufsatz über %s.", "Erkläre mir %s einfach.", "Fasse %s zusammen."},
		followUps: []string{"Und was ist mit %s?", "Weiter.", "Füge einen Abschnitt über %s hinzu."},
		dsat: []string{"Das ist nicht, was ich wollte, versuch es nochmal.", "Das ist falsch, du hast mich nicht verstanden.",
			"Nein, das stimmt nicht.", "Zu lang, schreib es kürzer neu."},
		sat:     []string{"Danke, perfekt!", "Super, genau das brauchte ich."},
		openers: []string{"Natürlich!", "Hier ist die Antwort."},
		closers: []string{"Ich hoffe, das hilft.", "Soll ich etwas ändern?"},
		words: []string{"der", "die", "das", "System", "Menschen", "weil", "wichtig", "Prozess", "Ergebnis", "viele", "verschiedene",
			"Beispiel", "auch", "Information", "zwischen", "Energie", "Markt", "Geschichte", "Wert", "Wandel", "Modell"},
		codeRequests: []string{"Schreibe eine Python-Funktion, die %s."},
	},
}
