// ketnap: the little the pages do in the browser (no inline scripts: the CSP forbids them).
// "Chọn tất cả" ticks every dossier of the page for the batch step.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.classList && box.classList.contains("chon-het")) {
    var form = box.closest("form");
    form.querySelectorAll('input[name="ids"]').forEach(function (other) {
      other.checked = box.checked;
    });
  }
});
