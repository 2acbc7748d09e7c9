/* eoproc: a compact validator for the OpenAPI 3.0 schema objects of process inputs.
   validate(schema, value, path) -> [{path, message}]; no dependencies, no eval. */
"use strict";
(function (global) {
  var DATE = /^\d{4}-\d{2}-\d{2}$/;
  var DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

  function typeOf(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
  }

  function hasType(value, type) {
    var actual = typeOf(value);
    if (type === "number") return actual === "number" || actual === "integer";
    return actual === type;
  }

  function equal(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function join(path, key) {
    return path ? path + "/" + key : String(key);
  }

  function validate(schema, value, path) {
    var errors = [];
    path = path || "";
    if (!schema || typeof schema !== "object") return errors;
    function fail(message) { errors.push({ path: path, message: message }); }
    if (value === null) {
      if (schema.nullable || (schema.enum && schema.enum.indexOf(null) >= 0)) return errors;
      if (schema.type) { fail("must not be empty"); return errors; }
    }
    if (schema.type && !hasType(value, schema.type)) {
      fail("must be " + (schema.type === "integer" ? "a whole number" : schema.type === "array" ? "a list" : "a " + schema.type));
      return errors;
    }
    if (schema.enum && !schema.enum.some(function (item) { return equal(item, value); })) {
      fail("must be one of " + schema.enum.map(function (v) { return JSON.stringify(v); }).join(", "));
    }
    if (typeof value === "number") {
      if (typeof schema.minimum === "number") {
        if (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum) {
          fail("must be " + (schema.exclusiveMinimum === true ? "greater than " : "at least ") + schema.minimum);
        }
      }
      if (typeof schema.maximum === "number") {
        if (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum) {
          fail("must be " + (schema.exclusiveMaximum === true ? "less than " : "at most ") + schema.maximum);
        }
      }
      if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) fail("must be greater than " + schema.exclusiveMinimum);
      if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) fail("must be less than " + schema.exclusiveMaximum);
      if (typeof schema.multipleOf === "number" && Math.abs(value / schema.multipleOf - Math.round(value / schema.multipleOf)) > 1e-9) {
        fail("must be a multiple of " + schema.multipleOf);
      }
    }
    if (typeof value === "string") {
      var length = Array.from(value).length;
      if (typeof schema.minLength === "number" && length < schema.minLength) fail("must have at least " + schema.minLength + " characters");
      if (typeof schema.maxLength === "number" && length > schema.maxLength) fail("must have at most " + schema.maxLength + " characters");
      if (typeof schema.pattern === "string") {
        var pattern = null;
        try { pattern = new RegExp(schema.pattern, "u"); } catch (e) { pattern = null; }
        if (pattern && !pattern.test(value)) fail("does not have the expected form (" + schema.pattern + ")");
      }
      if (schema.format === "date" && !DATE.test(value)) fail("must be a date (YYYY-MM-DD)");
      if (schema.format === "date-time" && !DATE_TIME.test(value)) fail("must be a date and time (RFC 3339)");
    }
    if (Array.isArray(value)) {
      if (typeof schema.minItems === "number" && value.length < schema.minItems) fail("must have at least " + schema.minItems + " items");
      if (typeof schema.maxItems === "number" && value.length > schema.maxItems) fail("must have at most " + schema.maxItems + " items");
      if (schema.uniqueItems) {
        var seen = value.map(function (v) { return JSON.stringify(v); });
        if (new Set(seen).size !== seen.length) fail("must not repeat items");
      }
      if (schema.items && typeof schema.items === "object") {
        value.forEach(function (item, i) { errors = errors.concat(validate(schema.items, item, join(path, i))); });
      }
    }
    if (typeOf(value) === "object") {
      var properties = schema.properties || {};
      (schema.required || []).forEach(function (name) {
        if (!(name in value)) errors.push({ path: join(path, name), message: "is required" });
      });
      Object.keys(value).forEach(function (name) {
        if (name in properties) {
          errors = errors.concat(validate(properties[name], value[name], join(path, name)));
        } else if (schema.additionalProperties === false) {
          errors.push({ path: join(path, name), message: "is not allowed here" });
        } else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
          errors = errors.concat(validate(schema.additionalProperties, value[name], join(path, name)));
        }
      });
      var count = Object.keys(value).length;
      if (typeof schema.minProperties === "number" && count < schema.minProperties) fail("must have at least " + schema.minProperties + " members");
      if (typeof schema.maxProperties === "number" && count > schema.maxProperties) fail("must have at most " + schema.maxProperties + " members");
    }
    (schema.allOf || []).forEach(function (sub) { errors = errors.concat(validate(sub, value, path)); });
    if (schema.anyOf && !schema.anyOf.some(function (sub) { return validate(sub, value, path).length === 0; })) {
      fail("does not match any of the allowed forms");
    }
    if (schema.oneOf) {
      var matches = schema.oneOf.filter(function (sub) { return validate(sub, value, path).length === 0; }).length;
      if (matches !== 1) fail(matches ? "matches more than one of the allowed forms" : "does not match any of the allowed forms");
    }
    if (schema.not && validate(schema.not, value, path).length === 0) fail("is not allowed");
    return errors;
  }

  global.eoprocValidate = validate;
})(typeof window !== "undefined" ? window : globalThis);
