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

// After a refused form the first field to mend has the focus (and is on screen).
document.addEventListener("DOMContentLoaded", function () {
  var first = document.querySelector('[aria-invalid="true"]');
  if (first) {
    first.focus();
  }
});

// The browser's own messages for a required or malformed field are in its language,
// often English: the page says them in Vietnamese.
document.addEventListener(
  "invalid",
  function (event) {
    var field = event.target;
    if (!field.validity) {
      return;
    }
    if (field.validity.valueMissing) {
      field.setCustomValidity(field.tagName === "SELECT" ? "Hãy chọn một mục." : "Hãy điền ô này.");
    } else if (field.validity.patternMismatch) {
      field.setCustomValidity(field.title || "Giá trị chưa đúng dạng.");
    } else {
      field.setCustomValidity("");
    }
  },
  true
);
document.addEventListener("input", function (event) {
  if (event.target.setCustomValidity) {
    event.target.setCustomValidity("");
  }
});
document.addEventListener("change", function (event) {
  if (event.target.setCustomValidity) {
    event.target.setCustomValidity("");
  }
});
