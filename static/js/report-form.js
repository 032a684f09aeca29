// As the citizen types, show published debunks that may already answer the report.
// Progressive enhancement: without this file the form works the same.
(function () {
  "use strict";
  var box = document.getElementById("debunk-suggestions");
  var content = document.getElementById("id_content");
  if (!box || !content || !window.fetch) { return; }
  var list = box.querySelector("ul");
  var timer = null;
  var lastQuery = "";

  function show(results) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    results.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = "【" + item.verdict + "】" + item.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    box.hidden = results.length === 0;
  }

  function lookUp() {
    var text = content.value.trim();
    if (text.length < 6 || text === lastQuery) { return; }
    lastQuery = text;
    var url = box.getAttribute("data-url") + "?q=" + encodeURIComponent(text.slice(0, 500));
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { show(data.results || []); })
      .catch(function () { /* suggestions are optional */ });
  }

  content.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 600);
  });
})();
