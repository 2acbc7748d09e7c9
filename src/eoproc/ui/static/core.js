/* eoproc UI, shared part: credentials, requests, small DOM helpers, page swaps.
   The credential lives in this tab's session storage only and goes to this server only. */
export var CREDENTIAL = "eoproc.credential";
var KIND = "eoproc.kind";
export var TERMINAL = ["successful", "failed", "dismissed"];
var body = document.body;
var schemes = (body.dataset.auth || "").split(" ").filter(Boolean);
var onSwap = null;

/* ---- credentials: this tab's session storage only, sent as the API expects ---- */
function credentialHeaders() {
  var value = sessionStorage.getItem(CREDENTIAL);
  var headers = {};
  if (!value) return headers;
  if ((sessionStorage.getItem(KIND) || schemes[0]) === "bearer") {
    headers.Authorization = "Bearer " + value;
  } else {
    headers[body.dataset.keyHeader || "X-API-Key"] = value;
  }
  return headers;
}

export function sameOrigin(url) {
  try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
}

export function api(url, options) {
  options = options || {};
  // credentials go to this server only, never to a link a process returned
  var own = sameOrigin(url) ? credentialHeaders() : {};
  options.headers = Object.assign({}, own, options.headers || {});
  options.credentials = "omit";
  return fetch(url, options);
}

export function el(tag, text, attrs) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
  return node;
}

export function when(value) {
  if (!value) return "\u2014";
  var moment = new Date(value);
  if (isNaN(moment.getTime())) return String(value);
  return moment.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

export function showSignin(message) {
  var section = document.getElementById("signin");
  if (!section) return;
  section.hidden = false;
  var error = section.querySelector("[data-signin-error]");
  if (error) error.textContent = message || "";
  var input = section.querySelector("[data-credential]");
  if (input) input.focus();
}

export function updateAuthButtons() {
  if (!schemes.length) return;
  var signedIn = Boolean(sessionStorage.getItem(CREDENTIAL));
  document.querySelectorAll("[data-signout]").forEach(function (b) { b.hidden = !signedIn; });
  document.querySelectorAll("[data-signin-open]").forEach(function (b) { b.hidden = signedIn; });
  document.querySelectorAll("[data-who]").forEach(function (w) {
    w.hidden = !signedIn;
    w.textContent = signedIn ? "Signed in" : "";
  });
}

export function setupSignin() {
  if (!schemes.length) return;
  var form = document.querySelector("form[data-signin]");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = form.querySelector("[data-credential]").value.trim();
      if (!value) return;
      sessionStorage.setItem(CREDENTIAL, value);
      sessionStorage.setItem(KIND, form.elements.kind.value || schemes[0]);
      form.querySelector("[data-credential]").value = "";
      document.getElementById("signin").hidden = true;
      updateAuthButtons();
      reloadMain();
    });
  }
  document.querySelectorAll("[data-signin-open]").forEach(function (b) {
    b.addEventListener("click", function () { showSignin(""); });
  });
  document.querySelectorAll("[data-signout]").forEach(function (b) {
    b.addEventListener("click", function () {
      sessionStorage.removeItem(CREDENTIAL);
      sessionStorage.removeItem(KIND);
      location.reload();
    });
  });
  updateAuthButtons();
}

/* ---- the page's main element, fetched again (with credentials) and swapped in ---- */
export function reloadMain() {
  var main = document.querySelector("main");
  var loading = main && main.querySelector("[data-loading]");
  if (loading) loading.hidden = false;
  return api(location.href, { headers: { Accept: "text/html" } }).then(function (response) {
    return response.text().then(function (text) {
      if (response.status === 401 && sessionStorage.getItem(CREDENTIAL)) {
        sessionStorage.removeItem(CREDENTIAL);
        updateAuthButtons();
        showSignin("The server refused these credentials. Please try again.");
        if (loading) loading.hidden = true;
        return;
      }
      var page = new DOMParser().parseFromString(text, "text/html");
      var fresh = page.querySelector("main");
      var current = document.querySelector("main");
      if (!fresh || !current) return;
      current.replaceWith(document.importNode(fresh, true));
      document.title = page.title;
      if (onSwap) onSwap(document.querySelector("main"));
    });
  });
}


/** Run ``callback(main)`` each time a fresh main element is swapped in. */
export function onMainSwapped(callback) {
  onSwap = callback;
}
