// Package repotest holds repository-wide checks that belong to no package:
// its tests read the whole source tree (documents, doc comments, README).
package repotest
