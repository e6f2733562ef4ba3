// Close an open menu when the user clicks elsewhere (tablet-friendly menus without a framework).
document.addEventListener("click", function (event) {
  document.querySelectorAll("details[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
  });
});
