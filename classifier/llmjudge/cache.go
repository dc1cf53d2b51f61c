package llmjudge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// cacheKey is the content address of one judgement: the SHA-256 of the rubric
// version, the model and the exact request body.
func cacheKey(model string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(rubricVersion))
	h.Write([]byte{0})
	h.Write([]byte(model))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// diskCache stores raw verdict JSON in dir/ab/abcdef….json.
type diskCache struct{ dir string }

func (c diskCache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key+".json")
}

// get returns the cached value for key. A missing entry is (nil, nil).
func (c diskCache) get(key string) ([]byte, error) {
	b, err := os.ReadFile(c.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// put stores val under key atomically: readers see the old entry or the
// complete new one, never a partial file.
func (c diskCache) put(key string, val []byte) (err error) {
	p := c.path(key)
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(val); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}
