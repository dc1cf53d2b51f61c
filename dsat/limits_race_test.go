//go:build race

package dsat

// hugeLine is smaller under the race detector, which slows the scan tenfold;
// 256 MiB is still four times the default record limit.
const hugeLine = 256 << 20
