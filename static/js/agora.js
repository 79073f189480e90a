// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("is-open", !open);
    });
  }
});

// htmx requests carry Django's CSRF token from its cookie, as Django's documentation describes: pages
// shared between readers carry no token of their own.
document.addEventListener("htmx:configRequest", function (event) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) {
    event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  }
});

// Lists write times as dates, so that a page shared between readers does not go stale as time passes;
// the browser shows them relative ("3 minutes ago"), in the page's language, the date as a tooltip.
const RELATIVE_UNITS = [
  ["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
  ["hour", 3600], ["minute", 60], ["second", 1],
];

function showRelativeTimes(root) {
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto" });
  root.querySelectorAll("time[data-relative]").forEach(function (time) {
    const seconds = (new Date(time.dateTime) - Date.now()) / 1000;
    const [unit, size] = RELATIVE_UNITS.find(([, size]) => Math.abs(seconds) >= size) || ["second", 1];
    if (!time.title) {
      time.title = time.textContent.trim();
    }
    time.textContent = format.format(Math.round(seconds / size), unit);
  });
}

document.addEventListener("DOMContentLoaded", function () {
  showRelativeTimes(document);
});
document.addEventListener("htmx:afterSwap", function (event) {
  showRelativeTimes(event.target);
});

// A live list (the event chat) receives messages from its polling and from the member's own post:
// a message that arrived twice is kept once (each item has its id), and a sent form is emptied.
document.addEventListener("htmx:afterSwap", function (event) {
  var list = event.detail.target;
  if (!list || !list.hasAttribute("data-live-list")) return;
  var seen = {};
  list.querySelectorAll(":scope > [id]").forEach(function (item) {
    if (seen[item.id]) item.remove(); else seen[item.id] = true;
  });
  var empty = list.querySelector(".empty");
  if (empty && list.children.length > 1) empty.remove();
  var form = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (form && form.tagName === "FORM" && event.detail.xhr.status === 200) form.reset();
});
