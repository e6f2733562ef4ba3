// Type-to-search picker for the new-disclosure form (progressive enhancement, no framework).
// Without JavaScript the form shows its checkbox lists and works as it is. With it, each
// <fieldset data-picker> becomes: the chosen items (each a hidden input of the field's name and
// a remove button) and a search box whose answers come from data-url (the server restricts
// them to what this user may disclose). Only the chosen items are submitted.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function setUp(box) {
    var name = box.getAttribute("data-picker");
    var list = box.querySelector(".check-list");
    var chosen = el("ul", { "class": "chips", "aria-label": box.getAttribute("data-chosen-label") });
    var search = el("input", {
      type: "search", "class": "picker-search", autocomplete: "off",
      "aria-label": box.getAttribute("data-search-label"), placeholder: box.getAttribute("data-search-label")
    });
    // A plain list of buttons (not role=listbox: there is no arrow-key selection to announce).
    var results = el("ul", { "class": "check-list picker-results", "aria-label": box.getAttribute("data-search-label") });
    var status = el("p", { "class": "muted", role: "status" });

    function isChosen(id) {
      return !!chosen.querySelector('input[value="' + String(id).replace(/"/g, "") + '"]');
    }

    function choose(id, label) {
      if (isChosen(id)) { return; }
      var item = el("li");
      item.appendChild(el("input", { type: "hidden", name: name, value: String(id) }));
      // titles and file names as the user entered them (for the pages' language check)
      item.appendChild(el("span", { "data-i18n-exempt": "" }, label));
      item.appendChild(document.createTextNode(" "));
      var remove = el("button", { type: "button", "class": "link", "aria-label": box.getAttribute("data-remove-label") + ": " + label }, "×");
      remove.addEventListener("click", function () { item.remove(); search.focus(); });
      item.appendChild(remove);
      chosen.appendChild(item);
    }

    // What was already ticked (a returned form, a ?version= link) starts as chosen.
    if (list) {
      list.querySelectorAll('input[type="checkbox"]').forEach(function (input) {
        if (input.checked) {
          var label = input.closest("label");
          choose(input.value, label ? label.textContent.trim() : input.value);
        }
      });
      list.remove();
    }

    var timer = null;
    var latest = 0;
    function lookUp() {
      var ask = ++latest;
      var url = box.getAttribute("data-url") + "?q=" + encodeURIComponent(search.value.trim());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (ask !== latest) { return; } // an older answer arriving late
          results.textContent = "";
          data.results.forEach(function (row) {
            var item = el("li");
            var button = el("button", { type: "button", "class": "link", "data-i18n-exempt": "" }, row.label);
            button.addEventListener("click", function () { choose(row.id, row.label); });
            item.appendChild(button);
            results.appendChild(item);
          });
          status.textContent = data.results.length ? "" : box.getAttribute("data-none-label");
        })
        .catch(function () { status.textContent = ""; });
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 200);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { // Enter picks the first answer instead of submitting the form
        event.preventDefault();
        var first = results.querySelector("button");
        if (first) { first.click(); }
      }
    });

    box.appendChild(chosen);
    box.appendChild(search);
    box.appendChild(status);
    box.appendChild(results);
    lookUp();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset[data-picker]").forEach(setUp);
  });
})();
