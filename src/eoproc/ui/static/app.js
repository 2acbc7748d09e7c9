/* eoproc UI: sign-in, execute forms, live jobs and result previews.
   Served from the package (no CDN); runs under script-src 'self'.
   User data only ever goes into the page through textContent and attributes. */
"use strict";
(function () {
  var CREDENTIAL = "eoproc.credential";
  var KIND = "eoproc.kind";
  var TERMINAL = ["successful", "failed", "dismissed"];
  var POLL_MS = 1000;
  var PREVIEW_BYTES = 65536;
  var body = document.body;
  var schemes = (body.dataset.auth || "").split(" ").filter(Boolean);

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

  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
  }

  function api(url, options) {
    options = options || {};
    // credentials go to this server only, never to a link a process returned
    var own = sameOrigin(url) ? credentialHeaders() : {};
    options.headers = Object.assign({}, own, options.headers || {});
    options.credentials = "omit";
    return fetch(url, options);
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function when(value) {
    if (!value) return "\u2014";
    var moment = new Date(value);
    if (isNaN(moment.getTime())) return String(value);
    return moment.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }

  function showSignin(message) {
    var section = document.getElementById("signin");
    if (!section) return;
    section.hidden = false;
    var error = section.querySelector("[data-signin-error]");
    if (error) error.textContent = message || "";
    var input = section.querySelector("[data-credential]");
    if (input) input.focus();
  }

  function updateAuthButtons() {
    if (!schemes.length) return;
    var signedIn = Boolean(sessionStorage.getItem(CREDENTIAL));
    document.querySelectorAll("[data-signout]").forEach(function (b) { b.hidden = !signedIn; });
    document.querySelectorAll("[data-signin-open]").forEach(function (b) { b.hidden = signedIn; });
    document.querySelectorAll("[data-who]").forEach(function (w) {
      w.hidden = !signedIn;
      w.textContent = signedIn ? "Signed in" : "";
    });
  }

  function setupSignin() {
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
  function reloadMain() {
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
        init(document.querySelector("main"));
      });
    });
  }

  /* ---- execute forms ---- */
  function childNodes(node) {
    return Array.prototype.filter.call(node.querySelectorAll(".node"), function (child) {
      return child.parentElement.closest(".node") === node;
    });
  }

  function numberOf(text) {
    if (text.trim() === "") return undefined;
    var number = Number(text);
    return isNaN(number) ? text : number;
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).replace(/^data:[^,]*,/, "")); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }

  function collect(node, path, errors) {
    var kind = node.dataset.kind;
    var control = node.querySelector("[data-value]");
    var text = control ? control.value : "";
    switch (kind) {
      case "integer":
      case "number":
        return Promise.resolve(numberOf(text));
      case "boolean":
        return Promise.resolve(control.checked);
      case "tristate":
        return Promise.resolve(text === "" ? undefined : text === "true");
      case "enum":
        return Promise.resolve(text === "" ? undefined : JSON.parse(text));
      case "datetime":
        if (!text) return Promise.resolve(undefined);
        return Promise.resolve((text.length === 16 ? text + ":00" : text) + "Z");
      case "json":
        if (text.trim() === "") return Promise.resolve(undefined);
        try { return Promise.resolve(JSON.parse(text)); } catch (e) {
          errors.push({ path: path, message: "is not valid JSON" });
          return Promise.resolve(undefined);
        }
      case "binary":
        return control.files && control.files.length ? readFile(control.files[0]) : Promise.resolve(undefined);
      case "tuple":
      case "bbox":
      case "ogc-bbox": {
        var parts = Array.prototype.map.call(node.querySelectorAll("[data-part]"), function (i) { return numberOf(i.value); });
        if (parts.every(function (p) { return p === undefined; })) return Promise.resolve(undefined);
        parts = parts.map(function (p) { return p === undefined ? "" : p; });
        if (kind !== "ogc-bbox") return Promise.resolve(parts);
        var box = { bbox: parts };
        var crs = node.querySelector("[data-crs]");
        if (crs && crs.value.trim()) box.crs = crs.value.trim();
        return Promise.resolve(box);
      }
      case "array": {
        var items = Array.prototype.filter.call(node.querySelectorAll("[data-item]"), function (li) {
          return li.closest("[data-kind=array]") === node;
        });
        return Promise.all(items.map(function (li, i) {
          var inner = li.querySelector(".node");
          return inner ? collect(inner, path + "/" + i, errors) : Promise.resolve(undefined);
        })).then(function (values) {
          values = values.filter(function (v) { return v !== undefined; });
          return values.length ? values : undefined;
        });
      }
      case "object": {
        var children = childNodes(node);
        return Promise.all(children.map(function (child) {
          return collect(child, path + "/" + child.dataset.key, errors);
        })).then(function (values) {
          var result = {};
          children.forEach(function (child, i) { if (values[i] !== undefined) result[child.dataset.key] = values[i]; });
          return Object.keys(result).length ? result : undefined;
        });
      }
      default:
        return Promise.resolve(text === "" ? undefined : text);
    }
  }

  function fieldError(form, path, message) {
    var name = String(path || "").split("/")[0];
    var box = form.querySelector('[data-input="' + CSS.escape(name) + '"]');
    var rest = String(path || "").split("/").slice(1).join("/");
    var text = (rest ? rest + ": " : "") + message;
    if (!box) {
      var general = form.querySelector("[data-form-error]");
      general.appendChild(el("p", (path ? path + ": " : "") + message));
      return;
    }
    var target = box.querySelector("[data-error]");
    target.textContent = target.textContent ? target.textContent + "; " + text : text;
    box.classList.add("invalid");
    box.querySelectorAll("input, select, textarea").forEach(function (c) { c.setAttribute("aria-invalid", "true"); });
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error]").forEach(function (e) { e.textContent = ""; });
    form.querySelector("[data-form-error]").textContent = "";
    form.querySelectorAll(".invalid").forEach(function (b) { b.classList.remove("invalid"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (c) { c.removeAttribute("aria-invalid"); });
  }

  function focusFirstError(form) {
    var box = form.querySelector(".invalid");
    var control = box && box.querySelector("input, select, textarea");
    if (control) control.focus();
  }

  function setupExecute(form) {
    var schemas = JSON.parse(document.getElementById("input-schemas").textContent || "{}");
    form.addEventListener("click", function (event) {
      var target = event.target;
      if (target.matches("[data-add]")) {
        var fieldset = target.closest("[data-kind=array]");
        var template = fieldset.querySelector(":scope > template[data-template]");
        var list = fieldset.querySelector(":scope > [data-items]");
        list.appendChild(template.content.cloneNode(true));
        var added = list.lastElementChild.querySelector("input, select, textarea");
        if (added) added.focus();
      } else if (target.matches("[data-remove]")) {
        target.closest("[data-item]").remove();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var errors = [];
      var inputs = {};
      var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-input]"));
      Promise.all(boxes.map(function (box) {
        var name = box.dataset.input;
        var ref = box.querySelector("[data-ref]");
        if (ref && ref.value.trim()) return Promise.resolve({ href: ref.value.trim() });
        return collect(box.querySelector(".node"), name, errors);
      })).then(function (values) {
        boxes.forEach(function (box, i) {
          var name = box.dataset.input;
          var value = values[i];
          var spec = schemas[name] || {};
          if (value === undefined) {
            if (spec.required) errors.push({ path: name, message: "is required" });
            return;
          }
          inputs[name] = value;
          if (!(value && typeof value === "object" && "href" in value && Object.keys(value).length === 1)) {
            errors = errors.concat(window.eoprocValidate(spec.schema || {}, value, name));
          }
        });
        if (errors.length && form.dataset.validate !== "off") {
          errors.forEach(function (e) { fieldError(form, e.path, e.message); });
          focusFirstError(form);
          return;
        }
        return submit(form, inputs);
      });
    });
  }

  function submit(form, inputs) {
    var busy = form.querySelector("[data-busy]");
    var button = form.querySelector("button[type=submit]");
    busy.hidden = false;
    button.disabled = true;
    return api(form.dataset.execute, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", Prefer: "respond-async" },
      body: JSON.stringify({ inputs: inputs, response: "document" })
    }).then(function (response) {
      var location_ = response.headers.get("Location");
      var monitor = /<([^>]+)>;\s*rel="?monitor/.exec(response.headers.get("Link") || "");
      if ((response.status === 201 && location_) || (response.ok && monitor)) {
        window.location.assign(location_ || monitor[1]);
        return;
      }
      return response.json().catch(function () { return {}; }).then(function (problem) {
        busy.hidden = true;
        button.disabled = false;
        if (response.status === 401) showSignin(problem.detail || "");
        var problems = Array.isArray(problem.problems) ? problem.problems : [];
        problems.forEach(function (p) { fieldError(form, p.path, p.message); });
        if (!problems.length) {
          var text = (problem.title || "Error " + response.status) + (problem.detail ? ": " + problem.detail : "");
          form.querySelector("[data-form-error]").appendChild(el("p", text));
        }
        focusFirstError(form);
      });
    }).catch(function (error) {
      busy.hidden = true;
      button.disabled = false;
      form.querySelector("[data-form-error]").appendChild(el("p", "The server could not be reached: " + error));
    });
  }

  /* ---- a job, live ---- */
  function setText(main, name, text) {
    var node = main.querySelector('[data-live="' + name + '"]');
    if (node) node.textContent = text;
  }

  function followJob(main) {
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

  function setupDismiss(main) {
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

  function preview(box) {
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

  function setupDownloads(root) {
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

  /* ---- pages ---- */
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
    if (main.dataset.refresh) {
      window.setTimeout(function () { if (document.body.contains(main)) reloadMain(); }, Number(main.dataset.refresh) * 1000);
    }
    main.querySelectorAll("[data-preview]").forEach(preview);
    setupDownloads(main);
  }

  setupSignin();
  init(document.querySelector("main"));
})();
