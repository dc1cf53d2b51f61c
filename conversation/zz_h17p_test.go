package conversation

import (
	"context"
	"io"
	"os"
	"testing"
)

func BenchmarkH17pFile(b *testing.B) {
	path := os.Getenv("H17P_FILE")
	for b.Loop() {
		r, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
	}
}
