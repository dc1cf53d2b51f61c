//go:build race

package conversation

// hugeLineSize is smaller under the race detector, which slows the scan
// tenfold; 256 MiB is still four times the record limit and 2.5 times the
// allocation budget of the test.
const hugeLineSize = 256 << 20
