package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// node is an element of a parsed page.
type node struct {
	name     string
	attr     map[string]string
	children []*node
	text     strings.Builder // character data directly inside, in order with descendants
	parent   *node
}

// parsePage parses an HTML page with encoding/xml in its lenient HTML mode
// (void elements auto-closed, HTML entities known). The page must be
// well-formed enough for that: every element closed in order.
func parsePage(t *testing.T, page []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root := &node{name: "#root", attr: map[string]string{}}
	cur := root
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{name: strings.ToLower(tk.Name.Local), attr: map[string]string{}, parent: cur}
			for _, a := range tk.Attr {
				n.attr[strings.ToLower(a.Name.Local)] = a.Value
			}
			cur.children = append(cur.children, n)
			cur = n
		case xml.EndElement:
			require.Equal(t, cur.name, strings.ToLower(tk.Name.Local), "mismatched end tag")
			cur = cur.parent
		case xml.CharData:
			for n := cur; n != nil; n = n.parent {
				n.text.Write(tk)
			}
		}
	}
	require.Same(t, root, cur, "unclosed elements")
	return root
}

// all returns every element below n (depth first) for which keep is true.
func (n *node) all(keep func(*node) bool) []*node {
	var out []*node
	for _, c := range n.children {
		if keep(c) {
			out = append(out, c)
		}
		out = append(out, c.all(keep)...)
	}
	return out
}

func (n *node) byName(name string) []*node {
	return n.all(func(c *node) bool { return c.name == name })
}

func (n *node) byID(id string) *node {
	if found := n.all(func(c *node) bool { return c.attr["id"] == id }); len(found) > 0 {
		return found[0]
	}
	return nil
}

func (n *node) hasClass(class string) bool {
	for _, c := range strings.Fields(n.attr["class"]) {
		if c == class {
			return true
		}
	}
	return false
}

func (n *node) byClass(class string) []*node {
	return n.all(func(c *node) bool { return c.hasClass(class) })
}

// svgFragments returns every inline <svg>…</svg> of a page, each checked to
// be well-formed XML by a strict decoder.
func svgFragments(t *testing.T, page []byte) []string {
	t.Helper()
	var out []string
	s := string(page)
	for {
		i := strings.Index(s, "<svg")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "</svg>")
		require.Positive(t, j, "unterminated svg")
		frag := s[i : i+j+len("</svg>")]
		d := xml.NewDecoder(strings.NewReader(frag))
		d.Strict = true
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			require.NoError(t, err, "svg is not well-formed XML: %.200s", frag)
		}
		out = append(out, frag)
		s = s[i+j:]
	}
}

// svgBar is a bar of a chart, as decoded from the SVG.
type svgBar struct {
	Name string  `xml:"data-name,attr"`
	K    int64   `xml:"data-k,attr"`
	N    int64   `xml:"data-n,attr"`
	Rate float64 `xml:"data-rate,attr"`
	Low  float64 `xml:"data-low,attr"`
	High float64 `xml:"data-high,attr"`
	Fill string  `xml:"fill,attr"`
	Y    float64 `xml:"y,attr"`
	H    float64 `xml:"height,attr"`
}

// svgChart is the part of a chart the tests read.
type svgChart struct {
	Class  string   `xml:"class,attr"`
	Bars   []svgBar `xml:"rect"`
	Groups []struct {
		Class     string  `xml:"class,attr"`
		Threshold float64 `xml:"data-threshold,attr"`
	} `xml:"g"`
}

// threshold returns the threshold marked on a chart, or -1.
func (c svgChart) threshold() float64 {
	for _, g := range c.Groups {
		if g.Class == "threshold" {
			return g.Threshold
		}
	}
	return -1
}

// charts decodes every chart of a page by its class ("chart models" → "models").
func charts(t *testing.T, page []byte) map[string]svgChart {
	t.Helper()
	out := map[string]svgChart{}
	for _, frag := range svgFragments(t, page) {
		var c svgChart
		require.NoError(t, xml.Unmarshal([]byte(frag), &c))
		var bars []svgBar
		for _, b := range c.Bars {
			if b.Name != "" {
				bars = append(bars, b)
			}
		}
		c.Bars = bars
		out[strings.TrimPrefix(c.Class, "chart ")] = c
	}
	return out
}
