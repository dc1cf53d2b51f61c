//go:build !race

package dsat

// hugeLine is the length of the generated line in TestHugeLineThroughTheMiner.
const hugeLine = 1 << 30
