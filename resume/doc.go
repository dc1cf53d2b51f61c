// Package resume makes a mining run restartable: Run mines each input file
// into its own committed part files, recorded in a Manifest with the
// input's identity and the miner's configuration hash
// (dsat.Miner.Fingerprint), and merges the parts into the run's sinks when
// every input is done. A run stopped at any point and started again writes
// what one uninterrupted dsat.Miner.Run would have written.
package resume
