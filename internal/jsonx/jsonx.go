// Package jsonx is the one seam through which dsatmine encodes and decodes
// JSON. JSON decoding is the throughput floor of the whole tool, so it uses
// github.com/goccy/go-json; swapping the implementation means editing only
// this file.
package jsonx

import (
	"bytes"
	"io"

	json "github.com/goccy/go-json"
)

// RawMessage is a raw encoded JSON value.
type RawMessage = json.RawMessage

// Marshal returns the JSON encoding of v. HTML characters are not escaped,
// so text from logs stays readable in the output.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MarshalIndent is like Marshal but indents the output.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	return json.MarshalIndent(v, prefix, indent)
}

// Unmarshal parses JSON data into v.
func Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v)
}

// Valid reports whether data is valid JSON.
func Valid(data []byte) bool { return json.Valid(data) }

// Decoder reads JSON values from a stream.
type Decoder = json.Decoder

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return json.NewDecoder(r) }

// Encoder writes JSON values to a stream.
type Encoder = json.Encoder

// NewEncoder returns an encoder writing to w that does not escape HTML.
func NewEncoder(w io.Writer) *Encoder {
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false)
	return e
}
