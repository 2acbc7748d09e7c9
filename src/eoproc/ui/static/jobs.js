/* eoproc UI: a job followed live, its dismissal, and previews of its results. */
import { CREDENTIAL, TERMINAL, api, el, reloadMain, sameOrigin, when } from "./core.js";

var POLL_MS = 1000;
var PREVIEW_BYTES = 65536;

function setText(main, name, text) {
  var node = main.querySelector('[data-live="' + name + '"]');
  if (node) node.textContent = text;
}

export function followJob(main) {
  var url = main.dataset.job;
  var status = main.dataset.status;
  if (TERMINAL.indexOf(status) >= 0) return;
  function tick() {
    if (!document.body.contains(main)) return;
    api(url, { headers: { Accept: "application/json" } }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (job) {
      if (!job || !document.body.contains(main)) return;
      var badge = main.querySelector(".status .badge");
      if (badge) {
        badge.textContent = job.status;
        badge.className = "badge s-" + job.status;
      }
      var progress = typeof job.progress === "number" ? job.progress : 0;
      var bar = main.querySelector('[data-live="progress"]');
      if (bar) bar.value = progress;
      setText(main, "percent", Math.round(progress) + " %");
      setText(main, "message", job.message || "");
      setText(main, "started", when(job.started));
      setText(main, "finished", when(job.finished));
      setText(main, "updated", when(job.updated));
      if (job.status !== status && TERMINAL.indexOf(job.status) >= 0) {
        reloadMain();
        return;
      }
      window.setTimeout(tick, POLL_MS);
    }).catch(function () { window.setTimeout(tick, POLL_MS * 3); });
  }
  window.setTimeout(tick, POLL_MS);
}

export function setupDismiss(main) {
  var button = main.querySelector("[data-dismiss]");
  if (!button) return;
  button.addEventListener("click", function () {
    button.disabled = true;
    api(main.dataset.job, { method: "DELETE", headers: { Accept: "application/json" } }).then(function (response) {
      if (response.ok) return reloadMain();
      return response.json().catch(function () { return {}; }).then(function (problem) {
        button.disabled = false;
        main.querySelector("[data-dismiss-error]").textContent = problem.detail || ("Error " + response.status);
      });
    });
  });
}

/* ---- result previews: size, images, tables, small JSON ---- */
function humanSize(count) {
  var units = ["bytes", "KiB", "MiB", "GiB"];
  var amount = count;
  for (var i = 0; i < units.length; i++) {
    if (amount < 1024 || i === units.length - 1) return i ? amount.toFixed(1) + " " + units[i] : amount + " bytes";
    amount /= 1024;
  }
  return count + " bytes";
}

function csvRows(text, limit) {
  var rows = [];
  text.split(/\r?\n/).slice(0, limit).forEach(function (line) {
    if (!line) return;
    var cells = [];
    var cell = "";
    var quoted = false;
    for (var i = 0; i < line.length; i++) {
      var c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = !quoted;
      else if (c === "," && !quoted) { cells.push(cell); cell = ""; }
      else cell += c;
    }
    cells.push(cell);
    rows.push(cells);
  });
  return rows;
}

function showTable(target, rows) {
  if (!rows.length) return;
  var wrap = el("div", null, { class: "scroll" });
  var table = el("table");
  table.appendChild(el("caption", "First rows"));
  var head = el("thead");
  var tr = el("tr");
  rows[0].forEach(function (c) { tr.appendChild(el("th", c, { scope: "col" })); });
  head.appendChild(tr);
  table.appendChild(head);
  var tbody = el("tbody");
  rows.slice(1).forEach(function (row) {
    var line = el("tr");
    row.forEach(function (c) { line.appendChild(el("td", c)); });
    tbody.appendChild(line);
  });
  table.appendChild(tbody);
  wrap.appendChild(table);
  target.appendChild(wrap);
}

export function preview(box) {
  var href = box.dataset.href;
  if (!sameOrigin(href)) return;  // another site's file: the link only
  var type = (box.dataset.type || "").split(";")[0].trim();
  var article = box.closest("[data-output]");
  var sizeNode = article && article.querySelector("[data-size]");
  var image = type.indexOf("image/") === 0;
  var headers = image ? {} : { Range: "bytes=0-" + (PREVIEW_BYTES - 1) };
  api(href, { headers: headers }).then(function (response) {
    if (!response.ok) {
      if (sizeNode) sizeNode.textContent = "not available (" + response.status + ")";
      return;
    }
    var range = /\/(\d+)$/.exec(response.headers.get("Content-Range") || "");
    var length = range ? Number(range[1]) : Number(response.headers.get("Content-Length") || NaN);
    return response.blob().then(function (blob) {
      var total = isNaN(length) ? blob.size : length;
      if (sizeNode) sizeNode.textContent = humanSize(total);
      if (image) {
        var img = el("img", null, { alt: "Preview of " + (article.querySelector("h3").textContent || "the output") });
        img.src = URL.createObjectURL(blob);
        box.appendChild(img);
      } else if (type === "text/csv" || type === "text/tab-separated-values") {
        blob.text().then(function (text) {
          if (total > blob.size) text = text.slice(0, text.lastIndexOf("\n"));  // a cut last line
          if (type !== "text/csv") text = text.replace(/\t/g, ",");
          showTable(box, csvRows(text, 21));
        });
      } else if (/json$/.test(type) && total <= PREVIEW_BYTES) {
        blob.text().then(function (text) {
          try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* shown as is */ }
          box.appendChild(el("pre", text, { class: "value" }));
        });
      } else if (type.indexOf("text/") === 0) {
        blob.text().then(function (text) { box.appendChild(el("pre", text.slice(0, 4000), { class: "value" })); });
      }
    });
  }).catch(function () { if (sizeNode) sizeNode.textContent = "not available"; });
}

export function setupDownloads(root) {
  root.querySelectorAll("a[data-download]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!sessionStorage.getItem(CREDENTIAL) || !sameOrigin(link.href)) return;  // a plain link does
      event.preventDefault();
      api(link.href).then(function (response) { return response.blob(); }).then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = el("a", null, { href: url, download: link.href.split("/").pop() || "output" });
        document.body.appendChild(a);
        a.click();
        a.remove();
        window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      });
    });
  });
}

