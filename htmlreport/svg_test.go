package htmlreport

import (
	"errors"
	"testing"
)

func TestInlineSVG(t *testing.T) {
	ok := func(name, in, want string) {
		t.Run(name, func(t *testing.T) {
			got, err := inlineSVG([]byte(in), "plot")
			if err != nil || string(got) != want {
				t.Errorf("inlineSVG(%q)\n = %q, %v\nwant %q", in, got, err, want)
			}
		})
	}
	ok("ViewBoxKept",
		`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 640 480"><g/></svg>`,
		`<svg viewBox="0 0 640 480" role="img" aria-label="plot"><g/></svg>`)
	ok("ViewBoxFromSize",
		"<!DOCTYPE svg>\n<!-- c -->\n<svg width=\"400px\" height=\"200\"><rect width=\"1\" height=\"1\"/></svg>\n<!-- after -->\n",
		`<svg viewBox="0 0 400 200" role="img" aria-label="plot"><rect width="1" height="1"/></svg>`)
	ok("SelfClosing", `<svg viewBox="0 0 1 1"/>`, `<svg viewBox="0 0 1 1" role="img" aria-label="plot"></svg>`)
	ok("FragmentLinks",
		`<svg xmlns:xlink="http://www.w3.org/1999/xlink"><defs><clipPath id="c"><rect/></clipPath></defs><g clip-path="url(#c)"><use xlink:href="#c"/></g></svg>`,
		`<svg role="img" aria-label="plot"><defs><clipPath id="c"><rect/></clipPath></defs><g clip-path="url(#c)"><use xlink:href="#c"/></g></svg>`)
	ok("AttributeEscaped", `<svg class="a&amp;&quot;b"></svg>`, `<svg class="a&amp;&#34;b" role="img" aria-label="plot"></svg>`)

	refuse := func(name, in string, target error) {
		t.Run(name, func(t *testing.T) {
			if _, err := inlineSVG([]byte(in), "plot"); !errors.Is(err, target) {
				t.Errorf("inlineSVG(%q) = %v, want %v", in, err, target)
			}
		})
	}
	refuse("ErrNotSVG/Empty", ``, ErrNotSVG)
	refuse("ErrNotSVG/HTML", `<html></html>`, ErrNotSVG)
	refuse("ErrNotSVG/Unclosed", `<svg><g></svg>`, ErrNotSVG)
	refuse("ErrNotSVG/Truncated", `<svg><g/>`, ErrNotSVG)
	refuse("ErrNotSVG/TwoRoots", `<svg/><svg/>`, ErrNotSVG)
	refuse("ErrNotSVG/TextOutside", `<svg/>text`, ErrNotSVG)
	refuse("ErrNotSVG/BadEntity", `<svg><text>&nbsp;</text></svg>`, ErrNotSVG)
	refuse("ErrUnsafeSVG/Script", `<svg><script>alert(1)</script></svg>`, ErrUnsafeSVG)
	refuse("ErrUnsafeSVG/ForeignObject", `<svg><foreignObject/></svg>`, ErrUnsafeSVG)
	refuse("ErrUnsafeSVG/OnLoad", `<svg onload="alert(1)"/>`, ErrUnsafeSVG)
	refuse("ErrUnsafeSVG/ExternalHref", `<svg><image href="https://example.com/x.png"/></svg>`, ErrUnsafeSVG)
	refuse("ErrUnsafeSVG/ExternalXlink", `<svg><use xlink:href="other.svg#a"/></svg>`, ErrUnsafeSVG)
	refuse("ErrUnsafeSVG/StyleURL", `<svg><style>rect { fill: url(http://example.com/p) }</style></svg>`, ErrUnsafeSVG)
	refuse("ErrUnsafeSVG/StyleImport", `<svg><style>@import "x.css";</style></svg>`, ErrUnsafeSVG)
	refuse("ErrUnsafeSVG/AttrURL", `<svg><rect fill="url('x.svg#p')"/></svg>`, ErrUnsafeSVG)
}
