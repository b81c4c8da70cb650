/*
 * page_probe.js -- measurements of a page as a real browser lays it out,
 * for tests/tools/page_probe.py (which injects this file into a copy of
 * the page and reads the result back from the DOM: the pre element
 * whose id is probe-out).
 *
 * window.PROBE_MODE says what to measure:
 *   layout  targets smaller than 24 x 24 px (WCAG 2.2 target-size), chart
 *           text that overlaps other text or a target line, or leaves the
 *           viewport, and whether the page scrolls sideways
 *   services  the services tables that are displayed, each with its rows
 *           in order (verdict, rank, id, findings, displayed or not), for
 *           the filter and sort choices checked in the HTML
 *   axe     axe-core's violations (axe.min.js injected before this file)
 */
(function () {
  "use strict";
  var W = window.innerWidth;

  /* Into the top document when the page runs in page_probe.py's frame
   * (a frame of the asked width: a headless window is at least 500 px). */
  function emit(result) {
    var doc = document;
    try {
      if (window.top !== window && window.top.document.body)
        doc = window.top.document;
    } catch (e) {
      doc = document;
    }
    var pre = doc.createElement("pre");
    pre.id = "probe-out";
    pre.textContent = JSON.stringify(result);
    doc.body.appendChild(pre);
  }

  function shown(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  }

  function box(r) {
    return [Math.round(r.left * 10) / 10, Math.round(r.top * 10) / 10,
            Math.round(r.right * 10) / 10, Math.round(r.bottom * 10) / 10];
  }

  function overlap(a, b) {
    /* half a pixel of anti-aliasing is not an overlap */
    return a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
           a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  }

  function layout() {
    var small = [], charts = [], texts = 0;
    var controls = document.querySelectorAll("a[href], button, input, select, textarea, summary");
    Array.prototype.forEach.call(controls, function (el) {
      var r = el.getBoundingClientRect();
      if (!shown(el) || r.right < 0 || r.bottom < 0)
        return;  /* not displayed, or off-screen until focused (skip link) */
      if (r.width < 24 || r.height < 24)
        small.push({tag: el.tagName.toLowerCase(), text: (el.textContent || el.id || "").trim().slice(0, 60),
                    width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10});
    });
    Array.prototype.forEach.call(document.querySelectorAll("svg.chart"), function (svg) {
      if (!shown(svg))
        return;
      var id = (svg.getAttribute("aria-labelledby") || "?").split(" ")[0].replace(/-title$/, "");
      var problems = [];
      var ts = Array.prototype.map.call(svg.querySelectorAll("text"), function (t) {
        return {text: t.textContent, r: t.getBoundingClientRect()};
      });
      var lines = Array.prototype.map.call(svg.querySelectorAll("line.target"), function (l) {
        return l.getBoundingClientRect();
      });
      texts += ts.length;
      ts.forEach(function (a, i) {
        if (a.r.left < -0.5 || a.r.right > W + 0.5)
          problems.push("text " + JSON.stringify(a.text) + " is off-screen " + JSON.stringify(box(a.r)));
        ts.slice(i + 1).forEach(function (b) {
          if (overlap(a.r, b.r))
            problems.push("texts " + JSON.stringify(a.text) + " and " + JSON.stringify(b.text) + " overlap");
        });
        lines.forEach(function (l) {
          if (overlap(a.r, l))
            problems.push("text " + JSON.stringify(a.text) + " crosses a target line");
        });
      });
      charts.push({id: id, width: Math.round(svg.getBoundingClientRect().width), texts: ts.length,
                   problems: problems});
    });
    return {width: W, small_targets: small, charts: charts, chart_texts: texts,
            scroll_width: document.documentElement.scrollWidth};
  }

  function services() {
    var tables = [];
    Array.prototype.forEach.call(document.querySelectorAll(".services .order"), function (wrap) {
      if (getComputedStyle(wrap).display === "none")
        return;
      var rows = wrap.querySelector("tbody").rows;
      tables.push({key: wrap.className.replace(/.*order-/, ""), rows: Array.prototype.map.call(rows, function (r) {
        return {meets: r.className.replace("meets-", ""), rank: +r.cells[1].getAttribute("data-rank"),
                id: r.cells[0].getAttribute("data-id"), findings: +r.cells[8].textContent,
                shown: getComputedStyle(r).display !== "none"};
      })});
    });
    return {tables: tables};
  }

  function runAxe() {
    if (typeof axe === "undefined") {
      emit({error: "axe-core did not load"});
      return;
    }
    axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
      emit({violations: r.violations.map(function (v) {
        return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) {
          return {target: n.target.join(" "), summary: (n.failureSummary || "").slice(0, 300)};
        })};
      }), passes: r.passes ? r.passes.length : null});
    }, function (e) { emit({error: String(e)}); });
  }

  var mode = window.PROBE_MODE || "layout";
  try {
    if (mode === "axe")
      runAxe();
    else
      emit(mode === "services" ? services() : layout());
  } catch (e) {
    emit({error: String(e && e.stack || e)});
  }
})();
