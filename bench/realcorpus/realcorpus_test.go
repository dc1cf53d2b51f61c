package realcorpus

import (
	"bufio"
	"bytes"
	"os"
	"testing"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuild(t *testing.T) {
	src, err := os.ReadFile("../../testdata/sample/sharegpt-sample.json")
	require.NoError(t, err)
	var recs []map[string]any
	require.NoError(t, jsonx.Unmarshal(src, &recs))

	var a, b bytes.Buffer
	n, err := Build(&a, src, 3)
	require.NoError(t, err)
	assert.Equal(t, int64(a.Len()), n)
	_, err = Build(&b, src, 3)
	require.NoError(t, err)
	assert.Equal(t, a.String(), b.String(), "same input, same bytes")

	ids := map[string]bool{}
	lines := 0
	sc := bufio.NewScanner(&a)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r map[string]any
		require.NoError(t, jsonx.Unmarshal(sc.Bytes(), &r))
		id := r["id"].(string)
		assert.False(t, ids[id], "id %s repeats", id)
		ids[id] = true
		orig := recs[lines%len(recs)]
		assert.Equal(t, orig["conversations"], r["conversations"])
		lines++
	}
	assert.Equal(t, 3*len(recs), lines)

	_, err = Build(&b, []byte(`{"not":"an array"}`), 1)
	assert.Error(t, err)
}
