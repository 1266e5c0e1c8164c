// The guide's search box, on every page but the checker: searches search-index.json (written
// at build time by crates/guide/src/search.rs, fetched the first time the box is used) and
// lists the sections as links, reached with the arrow keys; `/` focuses the box.
(function () {
  var form = document.querySelector(".search");
  if (form) search(form);
})();

function search(form) {
  var input = form.querySelector("input");
  var box = form.querySelector(".search-results");
  var status = box.querySelector("p");
  var list = box.querySelector("ul");
  var loading = null;
  var MAX = 12;
  function load() {
    if (!loading) {
      loading = fetch(new URL("search-index.json", document.baseURI)).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
    }
    return loading;
  }
  function norm(text) { return text.toLowerCase().replace(/\s+/g, " ").trim(); }
  // Entries are [page, heading, url, text, kind]. Each word of the query found in the heading
  // counts most; a pasted error line that contains a known error text ranks that text first.
  function find(index, query) {
    var q = norm(query);
    var words = q.split(/[^a-z0-9_]+/).filter(function (w) { return w.length > 1; });
    if (!q) return [];
    var need = Math.max(1, Math.ceil(words.length * 0.6));
    var hits = [];
    index.forEach(function (e, i) {
      var heading = norm(e[1]), text = norm(e[3]), page = norm(e[0]);
      var score = 0, found = 0;
      words.forEach(function (w) {
        if (heading.indexOf(w) >= 0) { score += 3; found++; }
        else if (page.indexOf(w) >= 0 || text.indexOf(w) >= 0) { score += 1; found++; }
      });
      if (heading.indexOf(q) >= 0) score += 10;
      else if (text.indexOf(q) >= 0) score += 4;
      var pasted = e[4] === "error" && heading.length > 8 && q.indexOf(heading) >= 0;
      if (pasted) score += 20 + heading.length / 10;
      if (found >= need || pasted || heading.indexOf(q) >= 0 || text.indexOf(q) >= 0) hits.push([score, i, e]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return hits.slice(0, MAX).map(function (h) { return h[2]; });
  }
  function show(results, query) {
    list.textContent = "";
    results.forEach(function (e) {
      var a = document.createElement("a");
      a.href = new URL(e[2], document.baseURI).href;
      a.textContent = e[1];
      var where = document.createElement("small");
      where.textContent = e[4] === "error" ? "Error text · " + e[3].slice(0, 90) : e[0] + (e[3] ? " · " + e[3].slice(0, 90) : "");
      a.appendChild(where);
      var li = document.createElement("li");
      li.appendChild(a);
      list.appendChild(li);
    });
    status.textContent = results.length ? results.length + (results.length === 1 ? " result" : " results") + " (arrow keys to move)" : "No results for \u201c" + query + "\u201d";
    box.hidden = false;
  }
  function update() {
    var query = input.value;
    if (!query.trim()) { box.hidden = true; return; }
    status.textContent = "Searching\u2026";
    load().then(function (index) {
      if (input.value === query) show(find(index, query), query);
    }, function () {
      status.textContent = "The search index could not be loaded.";
      box.hidden = false;
    });
  }
  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
  input.addEventListener("input", update);
  input.addEventListener("focus", function () { load().catch(function () {}); if (input.value.trim()) update(); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = links()[0];
    if (first) first.click();
  });
  form.addEventListener("keydown", function (ev) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!all.length) return;
      ev.preventDefault();
      var next = ev.key === "ArrowDown" ? at + 1 : at - 1;
      if (next < 0) input.focus();
      else all[Math.min(next, all.length - 1)].focus();
    } else if (ev.key === "Escape") {
      box.hidden = true;
      input.focus();
    }
  });
  list.addEventListener("click", function () { box.hidden = true; });
  document.addEventListener("click", function (ev) { if (!form.contains(ev.target)) box.hidden = true; });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      input.focus();
    }
  });
  // For the browser tests: the search as the box runs it, by URL.
  window.poolfixSearch = function (query) {
    return load().then(function (index) { return find(index, query).map(function (e) { return e[2]; }); });
  };
}
