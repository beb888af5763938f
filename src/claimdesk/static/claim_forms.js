// Claim page action forms: a fieldset that depends on a choice (the coverage being
// assessed, repair or total loss, who is paid) is shown and submitted only while the
// choice holds. The server renders the first state the same way, so this only reacts.
function claimdeskToggle(form) {
  form.querySelectorAll("fieldset[data-when]").forEach(function (set) {
    var when = JSON.parse(set.dataset.when || "{}");
    var on = Object.keys(when).every(function (name) {
      var control = form.elements[name];
      if (!control || control.matches(":disabled")) return false;
      return when[name].indexOf(control.value) >= 0;
    });
    set.hidden = !on;
    set.disabled = !on;
  });
}

// Wired here, not in an onchange attribute: the content security policy allows no
// inline script (SEC-9). Delegated from the document, so forms htmx swaps in work too.
document.addEventListener("change", function (event) {
  var control = event.target;
  if (control instanceof HTMLSelectElement && control.hasAttribute("data-controls")) {
    claimdeskToggle(control.form);
  }
});
