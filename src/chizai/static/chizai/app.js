// Close an open menu when the user clicks elsewhere (tablet-friendly menus without a framework).
document.addEventListener("click", function (event) {
  document.querySelectorAll("details[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
  });
});
// Escape closes an open menu and gives the focus back to its summary (keyboard users).
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") { return; }
  document.querySelectorAll("details[open]").forEach(function (menu) {
    menu.removeAttribute("open");
    var summary = menu.querySelector("summary");
    if (summary) { summary.focus(); }
  });
});
