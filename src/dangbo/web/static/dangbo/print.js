// dangbo: «In» links print the page. The Content-Security-Policy allows no inline script, so
// no onclick attribute: a link marked data-print is handled here. Links still written with
// onclick="window.print()…" (whose attribute the policy blocks) are handled the same way.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-print], a[onclick^='window.print']");
  if (!link) return;
  event.preventDefault();
  window.print();
});
// Printing shows what a disclosure (<details>) holds, as the page's «In» promises the whole
// page: closed ones are opened for the printout, and closed again afterwards.
var openedForPrint = [];
window.addEventListener("beforeprint", function () {
  openedForPrint = Array.prototype.filter.call(document.querySelectorAll("details:not([open]):not(.no-print)"), function (details) {
    details.open = true;
    return true;
  });
});
window.addEventListener("afterprint", function () {
  openedForPrint.forEach(function (details) { details.open = false; });
  openedForPrint = [];
});
