// strata erd: search, pan and zoom, and the side panel. No network, no libraries; names are
// only ever set as textContent.
(function () {
  "use strict";
  var svg = document.getElementById("erd");
  var viewport = document.getElementById("viewport");
  var panel = document.getElementById("panel");
  var search = document.getElementById("search");
  var count = document.getElementById("count");
  var data = JSON.parse(document.getElementById("erd-data").textContent || "{}");
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".ent"));
  var edges = Array.prototype.slice.call(document.querySelectorAll(".edge"));
  var byName = {};
  boxes.forEach(function (b) { byName[b.getAttribute("data-name")] = b; });
  var tables = document.querySelectorAll("[data-table]").length;

  // ---- pan and zoom: one transform on the viewport group
  var scale = 1, tx = 20, ty = 20;
  function apply() {
    viewport.setAttribute("transform", "translate(" + tx + "," + ty + ") scale(" + scale + ")");
  }
  function fit() {
    var w = Number(svg.getAttribute("data-width")) || 1;
    var h = Number(svg.getAttribute("data-height")) || 1;
    var W = svg.clientWidth || 1200, H = svg.clientHeight || 800;
    scale = Math.min(W / w, H / h, 1.2);
    tx = (W - w * scale) / 2;
    ty = Math.max(0, (H - h * scale) / 2);
    apply();
  }
  function zoom(factor, cx, cy) {
    var next = Math.min(6, Math.max(0.01, scale * factor));
    tx = cx - (cx - tx) * next / scale;
    ty = cy - (cy - ty) * next / scale;
    scale = next;
    apply();
  }
  function center() { return [svg.clientWidth / 2, svg.clientHeight / 2]; }
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = svg.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY, tx: tx, ty: ty, moved: false, target: e.target };
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.moved) { tx = drag.tx + dx; ty = drag.ty + dy; apply(); }
  });
  function release() {
    if (!drag) return;
    var d = drag;
    drag = null;
    svg.classList.remove("dragging");
    if (d.moved) return;
    var box = d.target.closest ? d.target.closest(".ent") : null;
    if (box) select(box.getAttribute("data-name")); else clearSelection();
  }
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointerleave", function () { if (drag) { drag.moved = true; release(); } });
  document.getElementById("zoom-in").addEventListener("click", function () { var c = center(); zoom(1.25, c[0], c[1]); });
  document.getElementById("zoom-out").addEventListener("click", function () { var c = center(); zoom(1 / 1.25, c[0], c[1]); });
  document.getElementById("fit").addEventListener("click", fit);

  // ---- search: matching boxes outlined, the others dimmed
  function filter(q) {
    q = (q || "").trim().toLowerCase();
    var hits = 0;
    boxes.forEach(function (b) {
      var hit = q !== "" && b.getAttribute("data-name").toLowerCase().indexOf(q) >= 0;
      if (hit && b.hasAttribute("data-table")) hits++;
      b.classList.toggle("match", hit);
      b.classList.toggle("dim", q !== "" && !hit);
    });
    edges.forEach(function (e) { e.classList.toggle("dim", q !== ""); });
    count.textContent = q === "" ? tables + " tables" : hits + " of " + tables + " tables";
    return hits;
  }
  search.addEventListener("input", function () { clearSelection(); filter(search.value); });

  // ---- selection: the table, its neighbours and their edges; the panel
  function clearSelection() {
    boxes.forEach(function (b) { b.classList.remove("sel", "hl", "dim"); });
    edges.forEach(function (e) { e.classList.remove("hl", "dim"); });
    panel.hidden = true;
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function select(name) {
    if (!byName[name]) return;
    search.value = "";
    filter("");
    var near = {};
    edges.forEach(function (e) {
      var f = e.getAttribute("data-from"), t = e.getAttribute("data-to");
      var on = f === name || t === name;
      e.classList.toggle("hl", on);
      e.classList.toggle("dim", !on);
      if (on) { near[f] = true; near[t] = true; }
    });
    boxes.forEach(function (b) {
      var n = b.getAttribute("data-name");
      b.classList.toggle("sel", n === name);
      b.classList.toggle("hl", n !== name && !!near[n]);
      b.classList.toggle("dim", n !== name && !near[n]);
    });
    show(name, Object.keys(near).filter(function (n) { return n !== name; }).sort());
  }
  function show(name, neighbours) {
    var d = data[name] || {};
    panel.textContent = "";
    panel.appendChild(el("h2", d.label || name));
    if (d.mark) panel.appendChild(el("p", "This plan: " + d.mark, d.mark));
    if (d.comment) panel.appendChild(el("p", d.comment, "comment"));
    if (d.columns && d.columns.length) {
      panel.appendChild(el("h3", d.kind === "enum" ? "Values" : "Columns"));
      var t = el("table");
      d.columns.forEach(function (c) {
        var tr = el("tr", null, c.mark || "");
        tr.appendChild(el("td", c.name));
        if (d.kind !== "enum") {
          tr.appendChild(el("td", c.type + (c.nullable ? " null" : "")));
          tr.appendChild(el("td", c.keys, "keys"));
          var extra = el("td");
          if (c["default"]) extra.appendChild(el("code", "= " + c["default"]));
          if (c.comment) extra.appendChild(el("div", c.comment, "comment"));
          tr.appendChild(extra);
        }
        t.appendChild(tr);
      });
      panel.appendChild(t);
    }
    if (d.indexes && d.indexes.length) {
      panel.appendChild(el("h3", "Indexes"));
      d.indexes.forEach(function (i) { panel.appendChild(el("pre", i)); });
    }
    if (neighbours.length) {
      panel.appendChild(el("h3", "Related"));
      var ul = el("ul");
      neighbours.forEach(function (n) {
        var li = el("li"), a = el("a", n);
        a.addEventListener("click", function () { select(n); });
        li.appendChild(a);
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    panel.hidden = false;
  }

  // #q=text searches, #t=schema.table selects (links and tests).
  function fromHash() {
    var h = location.hash.replace(/^#/, "");
    var parts = h.split("=");
    var value = decodeURIComponent(parts.slice(1).join("="));
    if (parts[0] === "q") { search.value = value; filter(value); }
    if (parts[0] === "t") select(value);
  }
  window.addEventListener("hashchange", fromHash);
  fit();
  window.addEventListener("resize", fit);
  fromHash();
  document.body.setAttribute("data-ready", "true");
})();
