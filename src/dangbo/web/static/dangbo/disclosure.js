// dangbo: disclosure buttons (the organization tree). A button with aria-controls shows or
// hides the element it names and says so in aria-expanded; htmx loads the branch on the
// first click (hx-trigger="click once").
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[aria-controls][aria-expanded]");
  if (!button) return;
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  var target = document.getElementById(button.getAttribute("aria-controls"));
  if (target) target.hidden = !open;
});
