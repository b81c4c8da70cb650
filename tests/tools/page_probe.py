#!/usr/bin/env python3
"""page_probe.py -- run tests/tools/page_probe.js on a page in headless Chromium.

usage: page_probe.py BROWSER PAGE.html WIDTH,HEIGHT MODE [options]
  MODE: layout | services | axe        (see page_probe.js)
  --axe FILE       axe.min.js, injected before the probe (mode axe)
  --check ID       check radio button ID instead of its group's default
                   (repeatable)
  --no-scripts     remove the page's own <script> elements from the copy
  --at ID          scroll the page to the element ID first (screenshots)
  --screenshot PNG instead of measuring, save a screenshot of the page at
                   that size (mode is then ignored)

A copy of the page is written beside it (so relative links still resolve)
with the probe injected before </body>, loaded with a fresh profile,
offline, and its DOM dumped after the scripts ran (virtual time); the JSON
the probe wrote is printed.  Exits 2 when no result came back.
"""
import html
import os
import re
import subprocess
import sys
import tempfile


def main(argv):
    browser, page, size, mode = argv[1:5]
    opts = argv[5:]
    axe = None
    checks = []
    no_scripts = False
    shot = None
    at = ""
    while opts:
        o = opts.pop(0)
        if o == "--axe":
            axe = opts.pop(0)
        elif o == "--check":
            checks.append(opts.pop(0))
        elif o == "--no-scripts":
            no_scripts = True
        elif o == "--at":
            at = "#" + opts.pop(0)
        elif o == "--screenshot":
            shot = opts.pop(0)
        else:
            sys.exit("page_probe.py: unknown option " + o)
    text = open(page, encoding="utf-8").read()
    if no_scripts:
        text = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)
    for c in checks:
        m = re.search(r'<input type="radio" name="([^"]*)" id="%s"' % re.escape(c), text)
        if not m:
            sys.exit("page_probe.py: no radio button " + c)
        group = re.escape(m.group(1))
        text = re.sub(r'(<input type="radio" name="%s" id="[^"]*")( checked)?' % group, r"\1", text)
        text = text.replace('name="%s" id="%s"' % (m.group(1), c), 'name="%s" id="%s" checked' % (m.group(1), c), 1)
    here = os.path.dirname(os.path.abspath(__file__))
    probe = open(os.path.join(here, "page_probe.js"), encoding="utf-8").read()
    inject = "<script>window.PROBE_MODE = %r;</script>\n" % mode
    if axe:
        inject += "<script>" + open(axe, encoding="utf-8").read().replace("</script", "<\\/script") + "</script>\n"
    inject += "<script>" + probe + "</script>\n"
    if not shot:
        text = text.replace("</body>", inject + "</body>", 1)
    fd, copy = tempfile.mkstemp(prefix=".probe-", suffix=".html", dir=os.path.dirname(os.path.abspath(page)))
    os.write(fd, text.encode("utf-8"))
    os.close(fd)
    # The page runs in a frame of the asked size: a headless window is at
    # least 500 px wide, a phone is narrower.
    w, h = size.split(",")
    fd, frame = tempfile.mkstemp(prefix=".probe-frame-", suffix=".html", dir=os.path.dirname(copy))
    os.write(fd, ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title>'
                  '<style>body{margin:0}iframe{border:0;display:block}</style></head><body>'
                  '<iframe src="%s" width="%s" height="%s"></iframe></body></html>'
                  % (os.path.basename(copy) + at, w, h)).encode("utf-8"))
    os.close(fd)
    profile = tempfile.mkdtemp(prefix="probe-profile-")
    try:
        res = subprocess.run(
            [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + profile,
             "--allow-file-access-from-files", "--window-size=%d,%s" % (max(int(w), 500) if shot else max(int(w), 800), h),
             "--virtual-time-budget=%d" % (15000 if mode == "axe" else 1000)] +
            (["--screenshot=" + os.path.abspath(shot)] if shot else ["--dump-dom"]) + ["file://" + frame],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
    finally:
        os.unlink(copy)
        os.unlink(frame)
        subprocess.run(["rm", "-rf", profile])
    if shot:
        return 0 if os.path.exists(shot) and os.path.getsize(shot) > 0 else 2
    found = re.findall(r'<pre id="probe-out">(.*?)</pre>', res.stdout.decode("utf-8", "replace"), re.S)
    m = found[-1] if found else None  # the last: the probe's own comment names the element
    if not m:
        sys.stderr.write(res.stderr.decode("utf-8", "replace")[-2000:])
        print('{"error": "no result from the probe"}')
        return 2
    print(html.unescape(m))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
