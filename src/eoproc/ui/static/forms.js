/* eoproc UI: the execute form (values from the generated controls, checks, submission). */
import { api, el, showSignin } from "./core.js";

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

export function setupExecute(form) {
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

