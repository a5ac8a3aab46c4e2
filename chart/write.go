package chart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats are the formats Write accepts, by the file extension that
// FormatOf maps to them.
var Formats = []string{"svg", "png"}

// ErrFormat is returned for a format, or a file extension, that is not
// one of Formats.
var ErrFormat = errors.New("unknown plot format")

// FormatOf returns the format of a plot file from its extension, .svg or
// .png in any case; any other extension is an error wrapping ErrFormat
// that names the path and what is allowed.
func FormatOf(path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range Formats {
		if ext == "."+f {
			return f, nil
		}
	}
	return "", fmt.Errorf("%q: %w (the file name must end in .svg or .png)", path, ErrFormat)
}

// Write writes the figure in format, "svg" or "png"; another format is an
// error wrapping ErrFormat.
func (f *Figure) Write(w io.Writer, format string) error {
	switch format {
	case "svg":
		return f.WriteSVG(w)
	case "png":
		return f.WritePNG(w)
	}
	return fmt.Errorf("%q: %w (must be svg or png)", format, ErrFormat)
}

// WriteSVG writes the figure as an SVG document of Width×Height inches.
// Its text names Liberation Sans, whose widths it was laid out with, and
// then Arial, Helvetica and sans-serif, which have the same widths or
// nearly, for viewers without it.
func (f *Figure) WriteSVG(w io.Writer) error {
	width, height, _ := f.size()
	c := vgsvg.New(vg.Length(width)*vg.Inch, vg.Length(height)*vg.Inch)
	if err := f.render(c); err != nil {
		return err
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	svg := bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Sans;"), []byte("font-family:Liberation Sans,Arial,Helvetica,sans-serif;"))
	if _, err := w.Write(svg); err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	return nil
}

// WritePNG writes the figure as a PNG image of Width×DPI by Height×DPI
// pixels.
func (f *Figure) WritePNG(w io.Writer) error {
	width, height, dpi := f.size()
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*vg.Inch, vg.Length(height)*vg.Inch), vgimg.UseDPI(dpi))
	if err := f.render(c); err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("write png: %w", err)
	}
	return nil
}

// render draws the figure on c. gonum panics on some drawing errors (a
// font it cannot find, an illegal range); render returns them as errors.
func (f *Figure) render(c vg.CanvasSizer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("draw plot: %v", r)
		}
	}()
	f.draw(draw.New(c))
	return nil
}
