/* Filter forms (GET, class "filters"): fields left empty are not submitted, so the address that
   results — and that people copy and share — names only the filters chosen. Without JavaScript
   the form still works; the server ignores empty parameters and drops them from the links it builds. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("filters") || form.method.toLowerCase() !== "get") {
    return;
  }
  var emptied = [];
  Array.prototype.forEach.call(form.elements, function (field) {
    if (field.name && !field.disabled && field.value === "" && field.type !== "submit") {
      field.disabled = true;
      emptied.push(field);
    }
  });
  /* Back from the results (bfcache), the fields are usable again. */
  window.addEventListener("pageshow", function () {
    emptied.forEach(function (field) { field.disabled = false; });
  }, { once: true });
});
