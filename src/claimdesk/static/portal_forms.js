// Portal forms (progressive enhancement: the server renders the same first state).
// A select with data-narrows="other" offers in "other" only the options whose
// data-policy is the chosen value: a medical policy offers no liability cover.
function claimdeskNarrow(select) {
  var target = document.getElementById(select.dataset.narrows);
  if (!target) return;
  Array.prototype.forEach.call(target.options, function (option) {
    if (!option.dataset.policy) return;
    var mine = option.dataset.policy === select.value;
    option.hidden = !mine;
    option.disabled = !mine;
    if (!mine && option.selected) target.value = "";
  });
}

// Wired here, not in an attribute: the content security policy allows no inline script.
document.addEventListener("change", function (event) {
  var control = event.target;
  if (control instanceof HTMLSelectElement && control.dataset.narrows) {
    claimdeskNarrow(control);
  }
});
