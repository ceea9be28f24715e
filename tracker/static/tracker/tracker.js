// A select marked data-autosubmit applies its choice at once (the dashboard's year).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});

// The approvals page: "select all" boxes, shown only where this script runs (without it the
// form posts the boxes ticked one by one). A group's box ticks its group, the page's box
// every figure on the page; each shows "some" when only part of what it covers is ticked.
(function () {
  function covered(box) {
    var scope = box.dataset.selectAll === "group" ? box.closest("section") : document;
    return Array.prototype.slice.call(scope.querySelectorAll("input[name=entry][form=approve]"));
  }
  function show(box) {
    var boxes = covered(box);
    var ticked = boxes.filter(function (b) { return b.checked; }).length;
    box.checked = boxes.length > 0 && ticked === boxes.length;
    box.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  function showAll() {
    document.querySelectorAll("input[data-select-all]").forEach(show);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("input[data-select-all]");
    if (!boxes.length) return;
    document.querySelectorAll(".select-all[hidden]").forEach(function (p) { p.hidden = false; });
    showAll();
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches("input[data-select-all]")) {
      covered(box).forEach(function (b) { b.checked = box.checked; });
      showAll();
    } else if (box.matches("input[name=entry][form=approve]")) {
      showAll();
    }
  });
})();
