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
