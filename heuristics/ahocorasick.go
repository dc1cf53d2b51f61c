package heuristics

import (
	"sort"
)

// acMatcher is an Aho-Corasick automaton over bytes. The root state has a
// dense transition table; every other state keeps its edges sorted by byte
// and falls back along failure links. Outputs are merged along dictionary
// suffix links at build time, so a state lists every pattern that ends
// there. The matcher is immutable after build and safe for concurrent use.
type acMatcher struct {
	root [256]int32
	// Shallow states (depth <= denseDepth), where a scan spends most of its
	// time, also have a full DFA row over byte classes: dense[s] is the row
	// index or -1, and table[row*nclass+class[c]] is the next state.
	class  [256]uint8
	nclass int32
	dense  []int32
	table  []int32
	first  []int32 // edges of state s: edgeB/edgeTo[first[s]:first[s+1]]
	edgeB  []byte
	edgeTo []int32
	fail   []int32
	outAt  []int32 // outputs of state s: outs[outAt[s]:outAt[s+1]]
	outs   []int32
	plen   []int32 // byte length of each pattern
	// scan follows the dense rows through next, a copy of table whose
	// entries are encoded (see enc) so that one load per byte moves the
	// automaton and tells whether the new state has outputs.
	next     []int32
	enc      []int32 // per state: dense row offset<<1 | has outputs, or ^state when sparse
	rowState []int32 // state of each dense row
}

// acMatch is one occurrence of pattern id in [start,end) of the input.
type acMatch struct {
	id         int32
	start, end int32
}

// buildAC compiles the patterns (by id = index). Empty patterns never match.
func buildAC(patterns []string) *acMatcher {
	type node struct {
		next map[byte]int32
		out  []int32
	}
	nodes := []node{{next: map[byte]int32{}}}
	m := &acMatcher{plen: make([]int32, len(patterns))}
	for id, p := range patterns {
		m.plen[id] = int32(len(p))
		if p == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			nx, ok := nodes[s].next[p[i]]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{next: map[byte]int32{}})
				nodes[s].next[p[i]] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	m.fail = make([]int32, len(nodes))
	depth := make([]int, len(nodes))
	// Breadth-first order so a state's failure target is finished first.
	order := make([]int32, 0, len(nodes))
	order = append(order, 0)
	for qi := 0; qi < len(order); qi++ {
		s := order[qi]
		keys := make([]int, 0, len(nodes[s].next))
		for c := range nodes[s].next {
			keys = append(keys, int(c))
		}
		sort.Ints(keys)
		for _, k := range keys {
			c := byte(k)
			t := nodes[s].next[c]
			depth[t] = depth[s] + 1
			if s != 0 {
				f := m.fail[s]
				for {
					if nx, ok := nodes[f].next[c]; ok {
						m.fail[t] = nx
						break
					}
					if f == 0 {
						m.fail[t] = 0
						break
					}
					f = m.fail[f]
				}
				nodes[t].out = append(nodes[t].out, nodes[m.fail[t]].out...)
			}
			order = append(order, t)
		}
	}
	for c := 0; c < 256; c++ {
		m.root[c] = nodes[0].next[byte(c)] // 0 when absent
	}
	m.first = make([]int32, len(nodes)+1)
	m.outAt = make([]int32, len(nodes)+1)
	for s := range nodes {
		m.first[s] = int32(len(m.edgeB))
		keys := make([]int, 0, len(nodes[s].next))
		for c := range nodes[s].next {
			keys = append(keys, int(c))
		}
		sort.Ints(keys)
		for _, k := range keys {
			m.edgeB = append(m.edgeB, byte(k))
			m.edgeTo = append(m.edgeTo, nodes[s].next[byte(k)])
		}
		m.outAt[s] = int32(len(m.outs))
		m.outs = append(m.outs, nodes[s].out...)
	}
	m.first[len(nodes)] = int32(len(m.edgeB))
	m.outAt[len(nodes)] = int32(len(m.outs))

	// Byte classes: every byte used by a pattern gets its own class; all
	// other bytes share class 0, which always leads back to the root.
	m.nclass = 1
	for _, b := range m.edgeB {
		if m.class[b] == 0 && m.nclass < 256 {
			m.class[b] = uint8(m.nclass)
			m.nclass++
		}
	}
	reps := make([]byte, m.nclass) // a representative byte per class
	for c := 255; c >= 0; c-- {
		reps[m.class[c]] = byte(c)
	}
	m.dense = make([]int32, len(nodes))
	rows := int32(0)
	for _, s := range order { // breadth-first: fail targets get rows first
		m.dense[s] = -1
		if depth[s] <= denseDepth {
			m.dense[s] = rows
			rows++
		}
	}
	m.table = make([]int32, int(rows)*int(m.nclass))
	for _, s := range order {
		row := m.dense[s]
		if row < 0 {
			continue
		}
		for k := int32(1); k < m.nclass; k++ {
			c := reps[k]
			next, ok := nodes[s].next[c]
			if !ok {
				if s == 0 {
					next = 0
				} else {
					f := m.fail[s]
					next = m.table[m.dense[f]*m.nclass+k]
				}
			}
			m.table[row*m.nclass+k] = next
		}
	}
	m.enc = make([]int32, len(nodes))
	m.rowState = make([]int32, rows)
	for st := range nodes {
		if row := m.dense[st]; row >= 0 {
			m.rowState[row] = int32(st)
			m.enc[st] = row * m.nclass << 1
			if m.outAt[st] != m.outAt[st+1] {
				m.enc[st] |= 1
			}
		} else {
			m.enc[st] = ^int32(st)
		}
	}
	m.next = make([]int32, len(m.table))
	for i, st := range m.table {
		m.next[i] = m.enc[st]
	}
	return m
}

// denseDepth is the depth up to which states get full DFA rows.
const denseDepth = 3

// step follows the transition on c from state s.
func (m *acMatcher) step(s int32, c byte) int32 {
	for {
		if row := m.dense[s]; row >= 0 {
			return m.table[row*m.nclass+int32(m.class[c])]
		}
		lo, hi := m.first[s], m.first[s+1]
		for i := lo; i < hi; i++ {
			b := m.edgeB[i]
			if b == c {
				return m.edgeTo[i]
			}
			if b > c {
				break
			}
		}
		s = m.fail[s]
	}
}

// scan appends every pattern occurrence in text to dst. A '\n' in text
// matches a pattern's space, so phrases may span line breaks.
//
// In dense rows, where a scan spends most of its time, the automaton moves
// with one load per byte (see next); sparse states take step.
func (m *acMatcher) scan(text []byte, dst []acMatch) []acMatch {
	next, class := m.next, &m.class
	cur := m.enc[0]
	for i, c := range text {
		if c == '\n' {
			c = ' '
		}
		if cur >= 0 {
			cur = next[cur>>1+int32(class[c])]
		} else {
			cur = m.enc[m.step(^cur, c)]
		}
		if cur >= 0 && cur&1 == 0 {
			continue // a dense state without outputs
		}
		s := ^cur
		if cur >= 0 {
			s = m.rowState[cur>>1/m.nclass]
		}
		e := int32(i + 1)
		for _, id := range m.outs[m.outAt[s]:m.outAt[s+1]] {
			dst = append(dst, acMatch{id: id, start: e - m.plen[id], end: e})
		}
	}
	return dst
}
