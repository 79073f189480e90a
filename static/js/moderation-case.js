/* The moderation queue's keyboard shortcuts and the ladder's proposal on the decision form.
   An external file (no inline script) so that the Content-Security-Policy needs no exception. */
(function () {
  "use strict";

  function typing(event) {
    var target = event.target;
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function choose(action) {
    var radio = document.querySelector('#decision-form input[name="action"][value="' + action + '"]');
    if (!radio) return false;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    var next = action === "approve" || action === "dismiss"
      ? document.querySelector('#decision-form button[value="next"]')
      : document.getElementById(action === "edit" ? "id_body" : "id_rule");
    if (next) next.focus();
    return true;
  }

  var keys = { a: "approve", d: "dismiss", r: "remove", e: "edit", v: "revise" };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    var key = event.key.toLowerCase();
    if (keys[key] && choose(keys[key])) {
      event.preventDefault();
    } else if (key === "n") {
      var next = document.querySelector('[data-shortcut="n"]');
      if (next) { event.preventDefault(); next.click(); }
    }
  });

  function showProposal() {
    var form = document.getElementById("decision-form");
    var out = document.getElementById("ladder-proposal");
    var rule = document.getElementById("id_rule");
    if (!form || !out || !rule) return;
    var proposals = JSON.parse(form.dataset.proposals || "{}");
    var proposal = proposals[rule.value];
    if (!proposal) { out.textContent = ""; return; }
    var text = out.dataset.proposes + " " + out.dataset[proposal.sanction];
    if (proposal.days) text += " (" + proposal.days + " " + out.dataset.days + ")";
    out.textContent = text;
    var radio = form.querySelector('input[name="sanction"][value="' + proposal.sanction + '"]');
    if (radio) radio.checked = true;
    var days = document.getElementById("id_sanction_days");
    if (days) days.value = proposal.days || "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var rule = document.getElementById("id_rule");
    if (rule) { rule.addEventListener("change", showProposal); showProposal(); }
  });
})();
