//go:build !race

package conversation

// hugeLineSize is the length of the synthetic line in TestHugeLineRejectedWithoutBuffering.
const hugeLineSize = 1 << 30
