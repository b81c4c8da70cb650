#!/usr/bin/env python3
"""svg_layout.py -- the charts of an HTML page, checked from the SVG alone.

usage: svg_layout.py PAGE.html [PAGE.html ...]

For every inline <svg class="chart ..."> of each page, from the SVG's own
coordinates and font sizes (standard library only, xml.etree):
  - no two text boxes overlap;
  - no text box crosses a target line (line.target) or a bar (rect);
  - every text box lies inside the viewBox.
A text box is [x, x + w] x [y - size, y + 0.25 * size] (anchor start,
middle or end moves it), w estimated from Arial-like advance widths per
character, which no sans-serif font falls short of by much.  Prints one
line per chart and a summary; exits 1 on the first page with a problem
(every problem is printed), 2 when a page has no chart at all.
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"

# Advance widths in em of Arial/Liberation Sans (the common metric set).
NARROW = set("iljtfrI.,:;'!|()[] ")
WIDE = set("mwMW%@")


def char_em(c):
    if ord(c) > 127:
        return 0.9
    if c in NARROW:
        return 0.28 if c != "r" else 0.33
    if c in WIDE:
        return 0.83
    if c.isupper():
        return 0.67
    return 0.556


def text_box(t):
    x = float(t.get("x"))
    y = float(t.get("y"))
    size = float(t.get("font-size", "0"))
    if size <= 0:
        raise ValueError("text without a font-size: %r" % (t.text,))
    s = "".join(t.itertext())
    w = sum(char_em(c) for c in s) * size
    anchor = t.get("text-anchor", "start")
    if anchor == "middle":
        x -= w / 2
    elif anchor == "end":
        x -= w
    return (x, y - size, x + w, y + 0.25 * size, s)


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_svg(svg):
    problems = []
    vb = [float(v) for v in svg.get("viewBox").split()]
    texts = [text_box(t) for t in svg.iter(NS + "text")]
    shapes = []
    for line in svg.iter(NS + "line"):
        if "target" in line.get("class", ""):
            x1, x2 = float(line.get("x1")), float(line.get("x2"))
            y1, y2 = float(line.get("y1")), float(line.get("y2"))
            shapes.append(("target line", (min(x1, x2) - 1, min(y1, y2), max(x1, x2) + 1, max(y1, y2))))
    for r in svg.iter(NS + "rect"):
        if r.get("x") is None:
            continue  # a pattern tile
        x, y = float(r.get("x")), float(r.get("y"))
        w, h = float(r.get("width")), float(r.get("height"))
        shapes.append(("rect", (x, y, x + w, y + h)))
    for i, a in enumerate(texts):
        if a[0] < vb[0] - 0.5 or a[1] < vb[1] - 0.5 or a[2] > vb[0] + vb[2] + 0.5 or a[3] > vb[1] + vb[3] + 0.5:
            problems.append("text %r (%.1f,%.1f)-(%.1f,%.1f) leaves the viewBox %s" % (a[4], a[0], a[1], a[2], a[3], vb))
        for b in texts[i + 1:]:
            if overlap(a, b):
                problems.append("texts %r and %r overlap" % (a[4], b[4]))
        for kind, s in shapes:
            if overlap(a, s):
                problems.append("text %r overlaps a %s at (%.1f,%.1f)-(%.1f,%.1f)" % ((a[4], kind) + s))
    return len(texts), problems


def charts(path):
    html = open(path, encoding="utf-8").read()
    for m in re.finditer(r"<svg\b.*?</svg>", html, re.S):
        yield ET.fromstring(m.group(0))


def main(argv):
    status = 0
    for path in argv[1:]:
        n_charts = n_texts = 0
        for svg in charts(path):
            if "chart" not in svg.get("class", "").split():
                continue
            n_charts += 1
            name = svg.get("aria-labelledby", "?").split()[0].replace("-title", "")
            n, problems = check_svg(svg)
            n_texts += n
            for p in problems:
                print("%s: %s: %s" % (path, name, p))
            if problems:
                status = max(status, 1)
        print("%s: %d charts, %d text boxes checked" % (path, n_charts, n_texts))
        if n_charts == 0:
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
