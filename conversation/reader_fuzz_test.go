package conversation

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// fuzzSeeds adds every file of the format fixtures and of the bad-input
// corpus (up to 64 KiB each) to f, each with the extra arguments of args.
func fuzzSeeds(f *testing.F, args ...any) {
	for _, dir := range []string{"../testdata/formats", "../testdata/badinput", "../testdata/bad"} {
		names, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, name := range names {
			if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".tsv") {
				continue
			}
			b, err := os.ReadFile(name)
			if err != nil || len(b) > 64<<10 {
				continue
			}
			f.Add(append([]any{b}, args...)...)
		}
	}
}

// checkRead reads every conversation from r and checks what must hold for
// any input: no panic, a lenient reader fails only on I/O errors, every
// conversation has messages with known roles, lenient output is valid
// UTF-8, and the counts balance (records = kept + skipped).
func checkRead(t *testing.T, r *Reader) {
	t.Helper()
	defer func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var n int64
	for {
		c, err := r.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := err.(*ParseError); ok && r.Strict {
				continue // strict readers can go on after a bad record
			}
			t.Fatalf("lenient=%v reader failed: %v", !r.Strict, err)
		}
		n++
		if len(c.Messages) == 0 {
			t.Fatalf("conversation %q has no message", c.ID)
		}
		if len(c.Messages) > r.MaxMessages {
			t.Fatalf("conversation %q has %d messages, limit %d", c.ID, len(c.Messages), r.MaxMessages)
		}
		for _, m := range c.Messages {
			switch m.Role {
			case System, User, Assistant, Tool:
			default:
				t.Fatalf("unknown role %q", m.Role)
			}
			if !r.Strict && !utf8.ValidString(m.Content) {
				t.Fatalf("lenient reader returned invalid UTF-8 %q", m.Content)
			}
		}
		if c.ID == "" {
			t.Fatalf("conversation without id")
		}
	}
	st := r.Stats()
	var skipped int64
	for _, k := range st.Skipped {
		skipped += k
	}
	if st.Records != st.Kept+skipped {
		t.Fatalf("records %d != kept %d + skipped %d (%+v)", st.Records, st.Kept, skipped, st)
	}
	if st.Conversations != n {
		t.Fatalf("stats count %d conversations, %d were returned", st.Conversations, n)
	}
}

func fuzzReader(data []byte, name string, strict bool) *Reader {
	r := NewReader(bytes.NewReader(data), name)
	r.Strict = strict
	r.MaxRecordSize = 1 << 20
	r.MaxMessages = 200
	return r
}

// FuzzReader feeds arbitrary bytes to the container sniffing and every
// container (JSON Lines, JSON array, Parquet, gzip, zstd) with format
// auto-detection, in strict and lenient mode.
func FuzzReader(f *testing.F) {
	fuzzSeeds(f, false)
	f.Add([]byte("[\n"), true)
	f.Add([]byte("\xef\xbb\xbf[{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), true)
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		checkRead(t, fuzzReader(data, "fuzz", strict))
	})
}

// FuzzFormat forces each format decoder on arbitrary records.
func FuzzFormat(f *testing.F) {
	fuzzSeeds(f, uint8(0))
	for i := range Formats {
		f.Add([]byte(`{"id":"x","messages":[],"conversations":[],"conversation":[],"chosen":"","mapping":{},"prompt":{}}`), uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		for _, strict := range []bool{false, true} {
			r := fuzzReader(data, "fuzz.jsonl", strict)
			r.Format = Formats[int(format)%len(Formats)]
			checkRead(t, r)
		}
	})
}

// FuzzCompressed compresses arbitrary JSON Lines with gzip or zstd, then
// truncates or corrupts the stream: the reader must report corrupt streams
// as corrupt_compression and never fail otherwise.
func FuzzCompressed(f *testing.F) {
	line := []byte(`{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"no, wrong"}]}` + "\n")
	f.Add(bytes.Repeat(line, 50), false, uint16(0), uint16(0))
	f.Add(bytes.Repeat(line, 50), true, uint16(300), uint16(0))
	f.Add(bytes.Repeat(line, 50), true, uint16(0), uint16(60))
	f.Add([]byte("[{}]"), false, uint16(7), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, useZstd bool, cut, flip uint16) {
		var buf bytes.Buffer
		if useZstd {
			w, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithWindowSize(1<<16), zstd.WithLowerEncoderMem(true))
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			w.Close()
		} else {
			w := gzip.NewWriter(&buf)
			w.Write(data)
			w.Close()
		}
		z := buf.Bytes()
		if flip > 0 && int(flip) < len(z) {
			z[flip] ^= 0xa5
		}
		if cut > 0 && int(cut) < len(z) {
			z = z[:cut]
		}
		for _, strict := range []bool{false, true} {
			checkRead(t, fuzzReader(z, "fuzz.gz", strict))
		}
	})
}

// FuzzParquet corrupts the Parquet files of the bad-input corpus byte by byte.
func FuzzParquet(f *testing.F) {
	names, _ := filepath.Glob("../testdata/badinput/*.parquet")
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, uint16(0), byte(0))
			f.Add(b, uint16(len(b)/2), byte(0xff))
			f.Add(b, uint16(len(b)-10), byte(1))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, at uint16, xor byte) {
		data = bytes.Clone(data)
		if int(at) < len(data) {
			data[at] ^= xor
		}
		// A slow input is a crash with the input in the message: the
		// fuzzer's own hang detection loses both.
		slow := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Parquet input read for more than 10s: %q", data)) })
		defer slow.Stop()
		for _, strict := range []bool{false, true} {
			checkRead(t, fuzzReader(data, "fuzz.parquet", strict))
		}
	})
}

// TestParquetCorruptFooterLength is the regression test of a FuzzParquet
// crash: a flipped bit in the footer length made the Parquet library
// allocate up to 4 GiB before noticing that the file is shorter.
func TestParquetCorruptFooterLength(t *testing.T) {
	b, err := os.ReadFile("../testdata/badinput/parquet-bad-role-row.parquet")
	if err != nil {
		t.Fatal(err)
	}
	for _, length := range []uint32{0x80000000 | uint32(len(b)), 0xffffffff, uint32(len(b) - 11)} {
		d := bytes.Clone(b)
		binary.LittleEndian.PutUint32(d[len(d)-8:], length)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := fuzzReader(d, "footer.parquet", true)
		_, err := r.Next(context.Background())
		runtime.ReadMemStats(&after)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Reason != ReasonInvalidParquet {
			t.Fatalf("footer length %#x: got %v, want an invalid_parquet error", length, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("footer length %#x: allocated %d bytes", length, alloc)
		}
	}
}
