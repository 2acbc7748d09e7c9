/* eoproc UI: the entry point. Served from the package (no CDN), under script-src 'self'.
   User data only ever goes into the page through textContent and attributes. */
import { CREDENTIAL, onMainSwapped, reloadMain, setupSignin, showSignin } from "./core.js";
import { setupExecute } from "./forms.js";
import { followJob, preview, setupDismiss, setupDownloads } from "./jobs.js";

function init(main) {
  if (!main) return;
  if (main.hasAttribute("data-needs-signin")) {
    if (sessionStorage.getItem(CREDENTIAL)) reloadMain();
    else showSignin("");
    return;
  }
  main.querySelectorAll("form[data-execute]").forEach(setupExecute);
  if (main.dataset.job) {
    followJob(main);
    setupDismiss(main);
  }
  if (main.dataset.refresh) refreshLater(main, Number(main.dataset.refresh) * 1000);
  main.querySelectorAll("[data-preview]").forEach(preview);
  setupDownloads(main);
}

/** Fetch the list again after ``delay`` ms, unless the user is busy with its filters. */
function refreshLater(main, delay) {
  window.setTimeout(function () {
    if (!document.body.contains(main)) return;
    var active = document.activeElement;
    if (active && active.closest && active.closest("main form")) refreshLater(main, delay);
    else reloadMain();
  }, delay);
}

onMainSwapped(init);
setupSignin();
init(document.querySelector("main"));
