package termtest

import (
	"fmt"
	"html"
	"image/color"
	"strings"

	uv "github.com/charmbracelet/ultraviolet"
)

// SVG renders the current screen as an SVG picture (monospace text with the
// cells' colours, bold and reverse), for screenshots made from real runs.
func (t *Term) SVG(title string) string {
	cols, rows := t.Size()
	const cw, ch = 8.4, 17.0 // cell size in px for a 14px monospace font
	fg0, bg0 := color.RGBA{0xe6, 0xe6, 0xe6, 0xff}, color.RGBA{0x1c, 0x1c, 0x1c, 0xff}
	var b strings.Builder
	w, h := float64(cols)*cw+20, float64(rows)*ch+46
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" rx="8" fill="%s"/>`+"\n", hex(bg0))
	fmt.Fprintf(&b, `<text x="%.0f" y="20" fill="#8a8a8a" font-family="monospace" font-size="13" text-anchor="middle">%s</text>`+"\n", w/2, html.EscapeString(title))
	fmt.Fprintf(&b, `<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14" transform="translate(10 34)">`+"\n")
	for y := range rows {
		for x := 0; x < cols; {
			c, ok := t.Cell(x, y)
			if !ok {
				break
			}
			// Group a run of cells with the same style into one text element.
			run := []string{}
			start, style := x, c.Style
			for x < cols {
				c, ok = t.Cell(x, y)
				if !ok || !c.Style.Equal(&style) {
					break
				}
				s := c.Content
				if s == "" {
					s = " "
				}
				run = append(run, s)
				x += max(1, c.Width)
			}
			fg, bg := colorOr(style.Fg, fg0), colorOr(style.Bg, nil)
			if style.Attrs&uv.AttrReverse != 0 {
				fg, bg = colorOr(style.Bg, bg0), colorOr(style.Fg, fg0)
			}
			px, py := float64(start)*cw, float64(y)*ch
			if bg != nil {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s"/>`+"\n", px, py, float64(x-start)*cw, ch, hex(bg))
			}
			text := strings.Join(run, "")
			if strings.TrimSpace(text) == "" {
				continue
			}
			weight := ""
			if style.Attrs&uv.AttrBold != 0 {
				weight = ` font-weight="bold"`
			}
			opacity := ""
			if style.Attrs&uv.AttrFaint != 0 {
				opacity = ` fill-opacity="0.6"`
			}
			// textLength pins the run to its cells, whatever the font's advance.
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="%s"%s%s textLength="%.1f" lengthAdjust="spacingAndGlyphs" xml:space="preserve">%s</text>`+"\n",
				px, py+13, hex(fg), weight, opacity, float64(x-start)*cw, html.EscapeString(text))
		}
	}
	b.WriteString("</g>\n</svg>\n")
	return b.String()
}

func colorOr(c, def color.Color) color.Color {
	if c == nil {
		return def
	}
	return c
}

func hex(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}
