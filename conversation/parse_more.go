package conversation

import (
	"bytes"
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// --- Anthropic HH-RLHF -------------------------------------------------------

type hhRecord struct {
	Chosen   jsonx.RawMessage `json:"chosen"`
	Rejected jsonx.RawMessage `json:"rejected"`
}

type hhParser struct{ noFlush }

func (hhParser) parse(rec []byte, loc Location) ([]*Conversation, error) {
	var in hhRecord
	if err := decode(rec, &in); err != nil {
		return nil, err
	}
	if !isJSONValue(in.Chosen) {
		return nil, wrongType(`hh-rlhf record has no "chosen" transcript`)
	}
	var chosen, rejected string
	if jsonx.Unmarshal(in.Chosen, &chosen) != nil {
		return nil, wrongType(`hh-rlhf: "chosen" is %s, not a transcript string; records whose chosen and rejected replies are messages are read as format %s`,
			jsonKind(in.Chosen), FormatPreference)
	}
	msgs, err := parseTranscript(chosen)
	if err != nil {
		return nil, err
	}
	c := &Conversation{Source: string(FormatHHRLHF), Location: loc, Messages: msgs}
	if jsonx.Unmarshal(in.Rejected, &rejected) == nil {
		if reply, ok := finalReply(rejected); ok {
			setMeta(c, "rejected_reply", reply)
		}
	}
	return []*Conversation{c}, nil
}

// jsonKind names the JSON type of v for messages ("a list", "an object", …).
func jsonKind(v jsonx.RawMessage) string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "missing"
	}
	switch t[0] {
	case '[':
		return "a list"
	case '{':
		return "an object"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// finalReply returns the last turn of a transcript if it is an assistant turn.
func finalReply(s string) (string, bool) {
	a := strings.LastIndex(s, hhAssistant)
	if a < 0 {
		if !strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), hhAssistant[2:]) {
			return "", false
		}
		s = "\n\n" + strings.TrimLeft(s, " \t\r\n")
		a = 0
	}
	reply := s[a+len(hhAssistant):]
	if strings.Contains(reply, hhHuman) {
		return "", false
	}
	return strings.TrimSpace(reply), true
}

const (
	hhHuman     = "\n\nHuman:"
	hhAssistant = "\n\nAssistant:"
)

// parseTranscript splits an HH-RLHF transcript ("\n\nHuman: ...\n\nAssistant:
// ...") into messages. Text before the first marker must be blank.
func parseTranscript(s string) ([]Message, error) {
	// A transcript may start with the marker without the blank line.
	trimmed := strings.TrimLeft(s, " \t\r\n")
	if strings.HasPrefix(trimmed, hhHuman[2:]) || strings.HasPrefix(trimmed, hhAssistant[2:]) {
		s = "\n\n" + trimmed
	}
	nextH := strings.Index(s, hhHuman)
	nextA := strings.Index(s, hhAssistant)
	first := minIndex(nextH, nextA)
	if first < 0 {
		return nil, wrongType(`hh-rlhf: "chosen" is not a transcript of "Human:" and "Assistant:" turns; a record with a separate prompt and plain-text replies is read as format %s`, FormatPreference)
	}
	if !isBlank(s[:first]) {
		return nil, wrongType(`hh-rlhf transcript has text before its first "Human:" or "Assistant:" turn`)
	}
	var msgs []Message
	pos := first
	for pos >= 0 {
		var role Role
		var start int
		if pos == nextH {
			role, start = User, pos+len(hhHuman)
		} else {
			role, start = Assistant, pos+len(hhAssistant)
		}
		if nextH >= 0 && nextH < start {
			nextH = indexFrom(s, hhHuman, start)
		}
		if nextA >= 0 && nextA < start {
			nextA = indexFrom(s, hhAssistant, start)
		}
		next := minIndex(nextH, nextA)
		end := next
		if end < 0 {
			end = len(s)
		}
		msgs = append(msgs, Message{Role: role, Content: strings.TrimSpace(s[start:end]), Index: len(msgs)})
		pos = next
	}
	return msgs, nil
}

func indexFrom(s, sub string, from int) int {
	i := strings.Index(s[from:], sub)
	if i < 0 {
		return -1
	}
	return from + i
}

// minIndex returns the smaller non-negative index, or -1.
func minIndex(a, b int) int {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	return min(a, b)
}

// --- OpenAssistant -------------------------------------------------------------

type oasstNode struct {
	MessageID     string        `json:"message_id"`
	ParentID      *string       `json:"parent_id"`
	MessageTreeID string        `json:"message_tree_id"`
	Text          string        `json:"text"`
	Role          string        `json:"role"`
	Lang          string        `json:"lang"`
	Deleted       bool          `json:"deleted"`
	Synthetic     bool          `json:"synthetic"`
	ModelName     string        `json:"model_name"`
	Replies       *[]*oasstNode `json:"replies"`
	// Tree exports wrap the root message.
	Prompt    *oasstNode `json:"prompt"`
	TreeState string     `json:"tree_state"`

	loc      Location
	children []*oasstNode
}

// oasstParser reads the three OpenAssistant layouts: tree exports
// ({"message_tree_id","prompt":{...,"replies":[...]}}), root messages with
// nested "replies", and flat message rows. Flat rows must be grouped by tree
// (as the published files are); a tree is emitted when the next tree starts.
// Rows whose parent is not in their tree have lost their context and add no
// conversation.
// Every root-to-leaf path is one conversation; deleted messages are dropped
// with their replies.
type oasstParser struct {
	r        *Reader
	group    []*oasstNode
	groupID  string
	tooLarge bool  // the current tree exceeded MaxMessages and is being skipped
	emitted  int64 // input records covered by the conversations returned since takeEmitted
}

func (p *oasstParser) takeEmitted() int64 {
	n := p.emitted
	p.emitted = 0
	return n
}

func (p *oasstParser) parse(rec []byte, loc Location) ([]*Conversation, error) {
	n := new(oasstNode)
	if err := decode(rec, n); err != nil {
		return nil, err
	}
	n.loc = loc
	if n.Prompt != nil || n.Replies != nil {
		// A nested tree is self-contained: emit any pending flat tree first.
		done, ferr := p.flush()
		root := n
		treeID := n.MessageTreeID
		if n.Prompt != nil {
			root = n.Prompt
		}
		if treeID == "" {
			treeID = root.MessageTreeID
		}
		if treeID == "" {
			treeID = root.MessageID
		}
		convs, err := p.paths([]*oasstNode{root}, treeID, loc, true)
		if err == nil && len(convs) == 0 {
			err = errorf(ReasonEmptyConversation, ErrEmptyConversation,
				"oasst tree %s has no message that is not deleted", treeID)
		}
		if err != nil {
			if ferr != nil {
				// Both the pending flat tree and this record are bad.
				r := toParseError(loc, err)
				pe := toParseError(loc, ferr)
				pe.records += max(1, r.records)
				return done, pe
			}
			return done, err
		}
		p.emitted++
		return append(done, convs...), ferr
	}
	// A flat message row.
	if n.Role == "" && n.MessageID == "" {
		return nil, wrongType("oasst record has neither message_id nor role")
	}
	key := n.MessageTreeID
	if p.tooLarge && key != "" && key == p.groupID {
		// The rest of a tree that already exceeded the limit.
		return nil, errorf(ReasonTooManyMessages, ErrTooManyMessages,
			"oasst tree %s has more than %d messages", key, p.r.MaxMessages)
	}
	newTree := p.tooLarge || len(p.group) > 0 && (key != p.groupID || key == "" && n.ParentID == nil)
	var out []*Conversation
	var err error
	if newTree {
		out, err = p.flush()
		p.tooLarge = false
	}
	if len(p.group) >= p.r.MaxMessages {
		// Drop the tree: its rows so far, this one and the rest are skipped.
		dropped := int64(len(p.group)) + 1
		p.group = nil
		p.tooLarge = true
		p.groupID = key
		err := errorf(ReasonTooManyMessages, ErrTooManyMessages,
			"oasst tree %s has more than %d messages", key, p.r.MaxMessages)
		err.(*reasonError).records = dropped
		return out, err
	}
	p.group = append(p.group, n)
	p.groupID = key
	return out, err
}

func (p *oasstParser) flush() ([]*Conversation, error) {
	if len(p.group) == 0 {
		return nil, nil
	}
	group := p.group
	p.group = nil
	byID := make(map[string]*oasstNode, len(group))
	for _, n := range group {
		byID[n.MessageID] = n
	}
	var roots []*oasstNode
	for _, n := range group {
		if n.ParentID == nil || *n.ParentID == "" {
			roots = append(roots, n)
			continue
		}
		if parent, ok := byID[*n.ParentID]; ok {
			parent.children = append(parent.children, n)
		}
		// Rows whose parent is not in the tree have lost their context: dropped.
	}
	treeID := p.groupID
	if treeID == "" && len(roots) > 0 {
		treeID = roots[0].MessageID
	}
	if len(roots) == 0 {
		pe := toParseError(group[0].loc, errorf(ReasonEmptyConversation, ErrEmptyConversation,
			"oasst tree %s has no root message in the input (%d of its messages are, without their first)", treeID, len(group)))
		pe.records = int64(len(group))
		return nil, pe
	}
	convs, err := p.paths(roots, treeID, group[0].loc, false)
	if err == nil && len(convs) == 0 {
		err = errorf(ReasonEmptyConversation, ErrEmptyConversation,
			"oasst tree %s has no root message that is not deleted", treeID)
	}
	if err != nil {
		pe := toParseError(group[0].loc, err)
		pe.records = int64(len(group))
		return nil, pe
	}
	p.emitted += int64(len(group))
	return convs, nil
}

// paths returns one conversation per root-to-leaf path of the trees.
func (p *oasstParser) paths(roots []*oasstNode, treeID string, loc Location, nested bool) ([]*Conversation, error) {
	var out []*Conversation
	var stack []*oasstNode
	var walk func(n *oasstNode) error
	walk = func(n *oasstNode) error {
		if n.Deleted {
			return nil
		}
		if _, err := ParseRole(n.Role); err != nil {
			return err
		}
		if len(stack) >= p.r.MaxMessages {
			return errorf(ReasonTooManyMessages, ErrTooManyMessages,
				"oasst path is longer than %d messages", p.r.MaxMessages)
		}
		stack = append(stack, n)
		defer func() { stack = stack[:len(stack)-1] }()
		kids := n.children
		if nested && n.Replies != nil {
			kids = *n.Replies
		}
		leaf := true
		for _, k := range kids {
			if k == nil || k.Deleted {
				continue
			}
			leaf = false
			if err := walk(k); err != nil {
				return err
			}
		}
		if leaf {
			out = append(out, p.pathConversation(stack, treeID, loc, len(out)))
		}
		return nil
	}
	for _, r := range roots {
		if err := walk(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *oasstParser) pathConversation(path []*oasstNode, treeID string, loc Location, idx int) *Conversation {
	c := &Conversation{Source: string(FormatOASST), Location: loc, Messages: make([]Message, len(path))}
	for i, n := range path {
		role, _ := ParseRole(n.Role)
		c.Messages[i] = Message{Role: role, Content: n.Text, Index: i}
	}
	leaf := path[len(path)-1]
	c.ID = leaf.MessageID
	if c.ID == "" {
		c.ID = p.r.deriveID(loc, idx)
	}
	c.Language = path[0].Lang
	if treeID != "" {
		setMeta(c, "message_tree_id", treeID)
	}
	return c
}

// --- ChatGPT data export -------------------------------------------------------

type chatGPTRecord struct {
	ID             string                 `json:"id"`
	ConversationID string                 `json:"conversation_id"`
	Title          *string                `json:"title"`
	CreateTime     flexTime               `json:"create_time"`
	Model          string                 `json:"default_model_slug"`
	CurrentNode    string                 `json:"current_node"`
	Mapping        map[string]chatGPTNode `json:"mapping"`
}

type chatGPTNode struct {
	Message *struct {
		Author struct {
			Role string `json:"role"`
			Name string `json:"name"`
		} `json:"author"`
		Content struct {
			ContentType string `json:"content_type"`
			Parts       []any  `json:"parts"`
			Text        string `json:"text"`
		} `json:"content"`
		Metadata struct {
			Hidden    bool   `json:"is_visually_hidden_from_conversation"`
			ModelSlug string `json:"model_slug"`
		} `json:"metadata"`
		CreateTime flexTime `json:"create_time"`
	} `json:"message"`
	Parent   *string  `json:"parent"`
	Children []string `json:"children"`
}

type chatGPTParser struct{ noFlush }

func (chatGPTParser) parse(rec []byte, loc Location) ([]*Conversation, error) {
	var in chatGPTRecord
	extra, err := decodeLenient(rec, &in, "mapping", "current_node")
	if err != nil {
		return nil, err
	}
	// Walk from current_node up to the root.
	var chain []string
	id := in.CurrentNode
	if id == "" {
		id = latestLeaf(in.Mapping)
	}
	for id != "" {
		node, ok := in.Mapping[id]
		if !ok {
			return nil, wrongType("chatgpt export: node %q is not in the mapping", id)
		}
		if len(chain) > len(in.Mapping) {
			return nil, wrongType("chatgpt export: the parent links of node %q form a cycle", in.CurrentNode)
		}
		chain = append(chain, id)
		if node.Parent == nil {
			break
		}
		id = *node.Parent
	}
	slices.Reverse(chain)
	c := &Conversation{ID: in.ConversationID, Source: string(FormatChatGPT), Model: in.Model,
		Timestamp: in.CreateTime.T, Location: loc, Messages: make([]Message, 0, len(chain))}
	if c.ID == "" {
		c.ID = in.ID
	}
	if in.Title != nil {
		setMeta(c, "title", *in.Title)
	}
	keepExtra(c, extra)
	for i, id := range chain {
		m := in.Mapping[id].Message
		if m == nil || m.Metadata.Hidden {
			continue
		}
		var text string
		if len(m.Content.Parts) > 0 {
			var err error
			if text, err = contentText(m.Content.Parts); err != nil {
				return nil, err
			}
		} else {
			text = m.Content.Text
		}
		if m.Author.Role == "system" && isBlank(text) {
			continue
		}
		msg, err := message(m.Author.Role, text, i)
		if err != nil {
			return nil, err
		}
		msg.Name = m.Author.Name
		if c.Model == "" && msg.Role == Assistant {
			c.Model = m.Metadata.ModelSlug
		}
		c.Messages = append(c.Messages, msg)
	}
	return []*Conversation{c}, nil
}

// latestLeaf picks the branch of an export without current_node: the one
// that ends in the most recent message. It walks the trees depth first
// (roots, and the children of every node, in their "children" order, or by
// creation time and id when a node does not list them), takes the last node
// visited among those with the latest message create_time (every node, when
// no message has one), and follows last children from there to a leaf.
func latestLeaf(mapping map[string]chatGPTNode) string {
	ids := slices.Sorted(maps.Keys(mapping))
	ctime := func(id string) int64 {
		if m := mapping[id].Message; m != nil && !m.CreateTime.T.IsZero() {
			return m.CreateTime.T.UnixNano()
		}
		return math.MinInt64
	}
	byTime := func(a, b string) int {
		if c := cmp.Compare(ctime(a), ctime(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	}
	kids := make(map[string][]string, len(mapping))
	var roots []string
	for _, id := range ids {
		p := mapping[id].Parent
		if p == nil || *p == "" || *p == id {
			roots = append(roots, id)
			continue
		}
		if _, ok := mapping[*p]; !ok {
			roots = append(roots, id)
			continue
		}
		kids[*p] = append(kids[*p], id)
	}
	slices.SortStableFunc(roots, byTime)
	children := func(id string) []string {
		derived := kids[id]
		listed := mapping[id].Children
		if len(listed) == 0 {
			slices.SortStableFunc(derived, byTime)
			return derived
		}
		out := make([]string, 0, len(derived))
		for _, k := range listed {
			if slices.Contains(derived, k) {
				out = append(out, k)
			}
		}
		for _, k := range derived { // children that the list leaves out
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		return out
	}
	best, bestTime := "", int64(math.MinInt64)
	seen := make(map[string]bool, len(mapping))
	var walk func(id string)
	walk = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		if t := ctime(id); best == "" || t >= bestTime {
			best, bestTime = id, t
		}
		for _, k := range children(id) {
			walk(k)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	for range len(mapping) { // bounded: parent links may form a cycle
		next := children(best)
		if len(next) == 0 {
			break
		}
		best = next[len(next)-1]
	}
	return best
}
