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

// Rows of a form (expense lines, issue 12): add and remove rows, and keep a running
// total of the amounts of the rows kept. The server reads every row it receives and
// computes the authoritative total; without this script the form still shows the rows
// typed so far and one blank row.
function claimdeskRowsTotal(rows) {
  var output = rows.querySelector("output[data-total]");
  if (!output) return;
  var total = 0;
  rows.querySelectorAll("fieldset[data-row]").forEach(function (row) {
    var skip = row.querySelector("input[data-skip]");
    var amount = row.querySelector("input[data-amount]");
    if (!amount || (skip && skip.checked)) return;
    var value = parseFloat(amount.value);
    if (isFinite(value) && value > 0) total += Math.round(value * 100);
  });
  output.textContent = "¥" + (total / 100).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("button") : null;
  if (!button) return;
  var rows = button.closest("[data-rows]");
  if (!rows) return;
  if (button.hasAttribute("data-add-row")) {
    var numbers = Array.prototype.map.call(
      rows.querySelectorAll("fieldset[data-row]"),
      function (row) { return parseInt(row.dataset.row, 10) || 0; }
    );
    var next = String((numbers.length ? Math.max.apply(null, numbers) : 0) + 1);
    var template = rows.querySelector("template[data-row-template]");
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.split("__N__").join(next);
    var row = holder.firstElementChild;
    template.parentNode.insertBefore(row, template);
    if (window.htmx) window.htmx.process(row);
    var first = row.querySelector("input, select");
    if (first) first.focus();
  } else if (button.hasAttribute("data-remove-row")) {
    var all = rows.querySelectorAll("fieldset[data-row]");
    var current = button.closest("fieldset[data-row]");
    if (all.length > 1) {
      current.remove();
    } else {
      current.querySelectorAll("input, select").forEach(function (input) {
        if (input.type === "checkbox") input.checked = false; else input.value = "";
      });
    }
  } else {
    return;
  }
  claimdeskRowsTotal(rows);
});

document.addEventListener("input", function (event) {
  var rows = event.target.closest ? event.target.closest("[data-rows]") : null;
  if (rows) claimdeskRowsTotal(rows);
});
document.addEventListener("change", function (event) {
  var rows = event.target.closest ? event.target.closest("[data-rows]") : null;
  if (rows) claimdeskRowsTotal(rows);
});

// The submission of an action form wins over its fields' checks (?validate, 300 ms after
// a change) and refreshes (?refresh, at once). Submitting aborts a field's request in
// flight, and no field's request starts while the submission is under way: a stale
// answer would replace the form (a refresh) or hide its refusal. The fields keep their
// own requests apart (no hx-sync on the form for them), so a check never holds up a
// refresh.
function claimdeskFormOf(element) {
  return element && element.closest ? element.closest("form.action-form") : null;
}

document.addEventListener("htmx:beforeRequest", function (event) {
  var source = event.detail.elt;
  var form = claimdeskFormOf(source);
  if (!form || !window.htmx) return;
  if (source === form) {
    form.querySelectorAll(".htmx-request").forEach(function (field) {
      window.htmx.trigger(field, "htmx:abort");
    });
  } else if (form.classList.contains("htmx-request")) {
    event.preventDefault();
  }
});

// Pressing the submit button takes the focus from the field just typed in, whose change
// sends its refresh at once (its check 300 ms on). Swapped in before the button is
// released, that answer could replace the button (a refresh re-renders the whole form)
// or move it, and a press and a release on different elements make no click: the
// submission would be lost, with nothing shown. So while the button is held, no answer
// to one of the form's fields is swapped in. Released without a click, the field's
// change is sent again.
var claimdeskHeld = null;
var claimdeskHeldSkipped = null;

document.addEventListener("pointerdown", function (event) {
  var button = event.target.closest ? event.target.closest(".action-form [type=submit]") : null;
  claimdeskHeld = button ? button.form : null;
  claimdeskHeldSkipped = null;
}, true);

function claimdeskRelease() {
  var form = claimdeskHeld;
  var skipped = claimdeskHeldSkipped;
  // Run after the release's click (same task): the submission, if any, is under way.
  window.setTimeout(function () {
    claimdeskHeld = null;
    claimdeskHeldSkipped = null;
    var submitted = form && form.classList.contains("htmx-request");
    if (skipped && !submitted && document.body.contains(skipped) && window.htmx) {
      window.htmx.trigger(skipped, "change");
    }
  }, 0);
}
document.addEventListener("pointerup", claimdeskRelease, true);
document.addEventListener("pointercancel", claimdeskRelease, true);

document.addEventListener("htmx:beforeSwap", function (event) {
  var form = claimdeskHeld;
  var config = event.detail.requestConfig;
  var source = config ? config.elt : null;
  if (form && source && source !== form && form.contains(source)) {
    event.detail.shouldSwap = false;
    claimdeskHeldSkipped = source;
  }
});
