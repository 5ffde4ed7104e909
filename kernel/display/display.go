// Package display shows rich output in a skybias notebook, in the shape
// of gophernotes' display API: constructors build a MIME bundle (Data), a
// cell whose value is a Data shows it, and Display shows one at once.
// Any value with PNG() []byte or SVG() string methods (every plots figure)
// is shown as an image when a cell returns it.
//
// Notebook cells have this package imported as "display".
package display

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// Data is a MIME bundle: representations of one output by MIME type.
type Data struct {
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata"`
}

// MIME types.
const (
	MIMEPNG      = "image/png"
	MIMESVG      = "image/svg+xml"
	MIMEHTML     = "text/html"
	MIMEMarkdown = "text/markdown"
	MIMEJSON     = "application/json"
	MIMEText     = "text/plain"
	MIMELatex    = "text/latex"
)

func bundle(mime string, v any, text string) Data {
	return Data{Data: map[string]any{mime: v, MIMEText: text}, Metadata: map[string]any{}}
}

// PNG shows PNG-encoded image bytes.
func PNG(b []byte) Data { return bundle(MIMEPNG, base64.StdEncoding.EncodeToString(b), "<PNG image>") }

// SVG shows an SVG document.
func SVG(s string) Data { return bundle(MIMESVG, s, "<SVG image>") }

// HTML shows HTML.
func HTML(s string) Data { return bundle(MIMEHTML, s, s) }

// Markdown shows Markdown.
func Markdown(s string) Data { return bundle(MIMEMarkdown, s, s) }

// Latex shows LaTeX (for MathJax).
func Latex(s string) Data { return bundle(MIMELatex, s, s) }

// Text shows plain text.
func Text(s string) Data { return bundle(MIMEText, s, s) }

// JSON shows a value as JSON (a map, slice or anything encoding/json takes).
func JSON(v any) Data {
	return Data{Data: map[string]any{MIMEJSON: v, MIMEText: "<JSON>"}, Metadata: map[string]any{}}
}

// Image is what a figure offers: PNG and SVG renderings.
type Image interface {
	PNG() []byte
	SVG() string
}

// Auto returns the bundle a value is shown as, and whether it has one:
// a Data as it is, a value with PNG() as a PNG image (a figure's SVG is
// left out: Jupyter would show it instead of the PNG, and it is often
// many times larger), one with only SVG() as SVG. A
// nil pointer shows as nothing, and a value whose rendering panics shows
// the panic as text instead of stopping the kernel.
func Auto(v any) (d Data, ok bool) {
	if rv := reflect.ValueOf(v); !rv.IsValid() || (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
		return Data{}, false
	}
	defer func() {
		if p := recover(); p != nil {
			d, ok = Text(fmt.Sprintf("<%T could not be shown: %v>", v, p)), true
		}
	}()
	switch x := v.(type) {
	case Data:
		return x, true
	case *Data:
		if x != nil {
			return *x, true
		}
	case interface{ PNG() []byte }:
		return PNG(x.PNG()), true
	case interface{ SVG() string }:
		return SVG(x.SVG()), true
	}
	return Data{}, false
}

var (
	mu        sync.Mutex
	publisher func(Data) error
)

// ErrNoKernel is returned by Display outside a notebook.
var ErrNoKernel = errors.New("display: not running in a skybias kernel")

// SetPublisher is called by the kernel with the function that sends a
// bundle to the notebook.
func SetPublisher(f func(Data) error) {
	mu.Lock()
	publisher = f
	mu.Unlock()
}

// Display shows a bundle now, in the running cell's output.
func Display(d Data) error {
	mu.Lock()
	f := publisher
	mu.Unlock()
	if f == nil {
		return ErrNoKernel
	}
	return f(d)
}

// Show displays any value that Auto understands; other values are ignored.
func Show(v any) error {
	if d, ok := Auto(v); ok {
		return Display(d)
	}
	return nil
}
