package realcorpus

import (
	"fmt"
	"os"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/parquet-go/parquet-go"
)

// turn and row are the layout of ShareGPT dumps published as Parquet: an id
// and a LIST column of {from, value} structs.
type turn struct {
	From  string `parquet:"from"`
	Value string `parquet:"value"`
}

type row struct {
	ID            string `parquet:"id"`
	Conversations []turn `parquet:"conversations,list"`
}

// BuildParquetFile writes the same records as BuildFile (copies of the
// ShareGPT array at src, fresh ids) to dst as a Parquet file with columns id
// and conversations, in row groups of about rowGroup rows (Snappy pages).
func BuildParquetFile(dst, src string, copies, rowGroup int) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var recs []struct {
		ID            string `json:"id"`
		Conversations []turn `json:"conversations"`
	}
	if err := jsonx.Unmarshal(data, &recs); err != nil {
		return fmt.Errorf("realcorpus: %w", err)
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	w := parquet.NewGenericWriter[row](f, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(int64(rowGroup)))
	for k := range copies {
		for i, r := range recs {
			id := r.ID
			if id == "" {
				id = fmt.Sprintf("rec%d", i)
			}
			if _, err := w.Write([]row{{ID: fmt.Sprintf("%s#%d", id, k), Conversations: r.Conversations}}); err != nil {
				f.Close()
				return err
			}
		}
	}
	if err := w.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
