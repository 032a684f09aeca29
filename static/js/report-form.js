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

  // Each suggestion opens in place (a details element): the form, and what was typed in
  // it, stay on the page; nothing opens a new tab.
  function show(results) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    results.forEach(function (item) {
      var li = document.createElement("li");
      var details = document.createElement("details");
      details.className = "suggestion";
      var summary = document.createElement("summary");
      summary.textContent = "【" + item.verdict + "】" + item.title;
      details.appendChild(summary);
      var text = document.createElement("p");
      text.textContent = item.summary || "";
      details.appendChild(text);
      var back = document.createElement("button");
      back.type = "button";
      back.className = "btn btn-plain suggestion-close";
      back.textContent = box.getAttribute("data-close-label") || "收起，继续填写";
      back.addEventListener("click", function () {
        details.open = false;
        summary.focus();
      });
      details.appendChild(back);
      li.appendChild(details);
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
