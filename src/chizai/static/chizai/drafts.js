// Keeps what was typed when a form cannot be accepted because the session ended (issue 14).
// On every POST form submit the visible fields are copied to sessionStorage (this tab only;
// passwords, files and hidden tokens never). The next page decides what happens to the copy:
// - the login page (session expired: the server asked to sign in) or the "form could not be
//   sent" page keep it and say so;
// - after signing in, the form's page (the login's "next") puts the values back and says why;
// - any other page means the form reached the server: the copy is dropped.
(function () {
  "use strict";
  var KEY = "chizai-draft";
  var MAX_AGE_MS = 2 * 60 * 60 * 1000;

  function notice(text) {
    if (!text) { return; }
    var main = document.getElementById("main");
    if (!main) { return; }
    var box = document.createElement("p");
    box.className = "messages draft-notice";
    box.setAttribute("role", "status");
    box.textContent = text;
    main.insertBefore(box, main.firstChild);
  }

  function fieldsOf(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      var type = (el.type || "").toLowerCase();
      if (type === "password" || type === "file" || type === "hidden" || type === "submit" || type === "button") { return; }
      if (type === "checkbox" || type === "radio") {
        out.push({ name: el.name, value: el.value, checked: el.checked });
      } else if (el.tagName === "SELECT" && el.multiple) {
        out.push({ name: el.name, values: Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; }) });
      } else {
        out.push({ name: el.name, value: el.value });
      }
    });
    return out;
  }

  function formKey(form) {
    return (form.id || "") + "|" + (form.getAttribute("action") || "");
  }

  function restore(form, fields) {
    fields.forEach(function (f) {
      var els = form.querySelectorAll('[name="' + f.name.replace(/"/g, "") + '"]');
      Array.prototype.forEach.call(els, function (el) {
        var type = (el.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          if (el.value === f.value) { el.checked = f.checked; }
        } else if (f.values && el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = f.values.indexOf(o.value) >= 0; });
        } else if (type !== "password" && type !== "file" && type !== "hidden" && f.value !== undefined) {
          el.value = f.value;
        }
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" || form.id === "login-form") { return; }
    var fields = fieldsOf(form);
    if (!fields.some(function (f) { return f.value || f.checked || (f.values && f.values.length); })) { return; }
    try {
      var action = new URL(form.getAttribute("action") || location.href, location.href).pathname;
      sessionStorage.setItem(KEY, JSON.stringify({
        path: location.pathname, search: location.search, action: action,
        form: formKey(form), fields: fields, at: Date.now(), held: false
      }));
    } catch (e) { /* storage full or disabled: the form works as before */ }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var draft = null;
    try { draft = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { draft = null; }
    if (!draft || Date.now() - draft.at > MAX_AGE_MS) { sessionStorage.removeItem(KEY); return; }
    var holds = document.getElementById("login-form") || document.querySelector("[data-draft-hold]");
    if (holds) {
      draft.held = true;
      sessionStorage.setItem(KEY, JSON.stringify(draft));
      // a form sent to another URL (a POST-only action) comes back to the page it was on
      var next = document.querySelector('#login-form input[name="next"]');
      if (next && next.value && next.value.split("?")[0] === draft.action && draft.action !== draft.path) {
        next.value = draft.path + (draft.search || "");
      }
      notice((holds.getAttribute && holds.getAttribute("data-draft-hold")) || body.getAttribute("data-draft-kept"));
      return;
    }
    if (!draft.held) { sessionStorage.removeItem(KEY); return; }  // the form reached the server
    if (location.pathname !== draft.path) { return; }  // not back on the form yet
    var forms = Array.prototype.filter.call(document.forms, function (f) { return formKey(f) === draft.form; });
    if (!forms.length) { return; }
    restore(forms[0], draft.fields);
    sessionStorage.removeItem(KEY);
    notice(body.getAttribute("data-draft-restored"));
  });
})();
