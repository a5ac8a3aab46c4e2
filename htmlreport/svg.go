package htmlreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// Sentinels of the plots that Write refuses, wrapped with the plot's title.
var (
	// ErrNotSVG marks a plot that is not one well-formed SVG document.
	ErrNotSVG = errors.New("not an SVG document")
	// ErrUnsafeSVG marks a plot that would run a script or load something
	// from outside the page: a script or foreignObject element, an on*
	// attribute, a link to anything but a fragment of the page (#id), or
	// a url(...) or @import in a style that does.
	ErrUnsafeSVG = errors.New("SVG runs a script or refers outside the page")
)

// inlineSVG checks that doc is one well-formed SVG document that neither
// scripts nor loads anything, and returns its root element for an HTML
// page: without the XML prolog, doctype and comments around it, and with
// the root's width, height and xmlns attributes dropped (the HTML parser
// puts <svg> in the SVG namespace, and the page's style makes it as wide
// as its container, its height following the viewBox). A root with a
// numeric width and height but no viewBox gets viewBox="0 0 width height",
// so that it scales. label becomes the root's aria-label.
func inlineSVG(doc []byte, label string) (template.HTML, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var (
		stack      []string // open elements, prefix:local
		root       *xml.StartElement
		rootTagEnd int64 // offset after the root's start tag
		rootEnd    int64 // offset after the root's end tag; 0 while it is open
		inStyle    int   // depth of open <style> elements
	)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrNotSVG, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if root != nil {
					return "", fmt.Errorf("%w: a second root element <%s>", ErrNotSVG, t.Name.Local)
				}
				if t.Name.Local != "svg" {
					return "", fmt.Errorf("%w: the root element is <%s>", ErrNotSVG, t.Name.Local)
				}
				r := t.Copy()
				root, rootTagEnd = &r, d.InputOffset()
			}
			if err := checkElement(t); err != nil {
				return "", err
			}
			if strings.EqualFold(t.Name.Local, "style") {
				inStyle++
			}
			stack = append(stack, qualified(t.Name))
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != qualified(t.Name) {
				return "", fmt.Errorf("%w: unexpected </%s>", ErrNotSVG, qualified(t.Name))
			}
			stack = stack[:len(stack)-1]
			if strings.EqualFold(t.Name.Local, "style") {
				inStyle--
			}
			if len(stack) == 0 {
				rootEnd = d.InputOffset()
			}
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return "", fmt.Errorf("%w: text outside the root element", ErrNotSVG)
			}
			if inStyle > 0 {
				if err := checkStyle(string(t)); err != nil {
					return "", err
				}
			}
		case xml.ProcInst, xml.Directive, xml.Comment:
			if len(stack) == 0 {
				continue // the prolog, a doctype, comments around the root: dropped
			}
		}
	}
	if root == nil || rootEnd == 0 {
		return "", fmt.Errorf("%w: no complete <svg> element", ErrNotSVG)
	}
	var b strings.Builder
	b.WriteString(rootTag(*root, label))
	if rootTagEnd == rootEnd { // <svg .../>: the decoder reports its end at once
		b.WriteString("</svg>")
	} else {
		b.Write(doc[rootTagEnd:rootEnd])
	}
	return template.HTML(b.String()), nil
}

// rootTag renders the root's start tag for the page (see inlineSVG).
func rootTag(root xml.StartElement, label string) string {
	var b strings.Builder
	b.WriteString("<svg")
	var width, height, viewBox string
	for _, a := range root.Attr {
		name := qualified(a.Name)
		switch {
		case name == "width":
			width = a.Value
			continue
		case name == "height":
			height = a.Value
			continue
		case name == "xmlns" || a.Name.Space == "xmlns":
			continue
		case name == "viewBox":
			viewBox = a.Value
		case name == "role" || name == "aria-label":
			continue
		}
		fmt.Fprintf(&b, ` %s="%s"`, name, template.HTMLEscapeString(a.Value))
	}
	if viewBox == "" {
		w, errW := strconv.ParseFloat(strings.TrimSuffix(width, "px"), 64)
		h, errH := strconv.ParseFloat(strings.TrimSuffix(height, "px"), 64)
		if errW == nil && errH == nil && w > 0 && h > 0 {
			fmt.Fprintf(&b, ` viewBox="0 0 %g %g"`, w, h)
		}
	}
	fmt.Fprintf(&b, ` role="img" aria-label="%s">`, template.HTMLEscapeString(label))
	return b.String()
}

// checkElement refuses what would script or load: see ErrUnsafeSVG.
func checkElement(t xml.StartElement) error {
	switch strings.ToLower(t.Name.Local) {
	case "script", "foreignobject", "iframe", "embed", "object":
		return fmt.Errorf("%w: <%s>", ErrUnsafeSVG, t.Name.Local)
	}
	for _, a := range t.Attr {
		name := strings.ToLower(a.Name.Local)
		switch {
		case a.Name.Space == "xmlns" || a.Name.Space == "" && name == "xmlns":
			continue // a namespace's name, not a reference
		case strings.HasPrefix(name, "on"):
			return fmt.Errorf("%w: attribute %s on <%s>", ErrUnsafeSVG, qualified(a.Name), t.Name.Local)
		case name == "href" || name == "src":
			if !strings.HasPrefix(strings.TrimSpace(a.Value), "#") {
				return fmt.Errorf("%w: %s=%q on <%s>", ErrUnsafeSVG, qualified(a.Name), a.Value, t.Name.Local)
			}
		}
		if err := checkStyle(a.Value); err != nil {
			return err
		}
	}
	return nil
}

// checkStyle refuses CSS (a <style> element's text, or any attribute value,
// since fill="url(...)" is one) that imports or refers to anything but a
// fragment of the page.
func checkStyle(s string) error {
	low := strings.ToLower(s)
	if strings.Contains(low, "@import") {
		return fmt.Errorf("%w: @import", ErrUnsafeSVG)
	}
	for rest := low; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			return nil
		}
		rest = rest[i+len("url("):]
		arg := strings.TrimLeft(rest, " \t\r\n'\"")
		if !strings.HasPrefix(arg, "#") {
			return fmt.Errorf("%w: url(%.40s", ErrUnsafeSVG, rest)
		}
	}
}

// qualified renders a raw name as written: prefix:local.
func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
