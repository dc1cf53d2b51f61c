// Package realcorpus builds the benchmarks' corpus of real chat text: a
// ShareGPT JSON array (such as the development data's real/sharegpt-sample.json)
// written N times as JSON Lines, every record with a fresh id ("<id>#<copy>"),
// so that deduplication sees distinct conversations as it would in a large
// dump. The text is read at benchmark time and never stored in the project.
package realcorpus

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// DefaultCopies gives a corpus of about 60 MB from the 3.4 MB ShareGPT sample.
const DefaultCopies = 18

// Build writes copies repetitions of the records of the JSON array src to w
// as JSON Lines, and returns the bytes written. The same src and copies
// always give the same bytes.
func Build(w io.Writer, src []byte, copies int) (int64, error) {
	var recs []map[string]any
	if err := jsonx.Unmarshal(src, &recs); err != nil {
		return 0, fmt.Errorf("realcorpus: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var n int64
	for k := range copies {
		for i, r := range recs {
			rec := make(map[string]any, len(r))
			for key, v := range r {
				rec[key] = v
			}
			id, _ := r["id"].(string)
			if id == "" {
				id = fmt.Sprintf("rec%d", i)
			}
			rec["id"] = fmt.Sprintf("%s#%d", id, k)
			line, err := jsonx.Marshal(rec)
			if err != nil {
				return n, fmt.Errorf("realcorpus: record %d: %w", i, err)
			}
			line = append(line, '\n')
			m, err := bw.Write(line)
			n += int64(m)
			if err != nil {
				return n, err
			}
		}
	}
	return n, bw.Flush()
}

// BuildFile reads the JSON array at src and writes the corpus to dst.
func BuildFile(dst, src string, copies int) (int64, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return 0, err
	}
	f, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	n, err := Build(f, data, copies)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}
