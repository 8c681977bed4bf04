// The page's words: every script of the console writes its sentences as `_("English id", {values})`, and
// this looks them up in the hall's language (the console_js catalog, which the page embeds as #words).
// An id without words is shown as it is; {name} placeholders are filled from `values` as text.
"use strict";
(function () {
  const found = document.getElementById("words");
  let words = {};
  try { words = found ? JSON.parse(found.textContent) : {}; } catch (_) { words = {}; }
  const own = Object.prototype.hasOwnProperty;
  window._ = function (id, values) {
    const text = own.call(words, id) && typeof words[id] === "string" ? words[id] : id;
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, (whole, key) => (own.call(values, key) ? String(values[key]) : whole));
  };
  // Text cut where a reader sees a boundary (never inside a surrogate pair or an emoji), marked with …
  const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "grapheme" }) : null;
  const clusters = (text) => (segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text));
  window.hallText = {
    length: (text) => clusters(String(text)).length,
    cut(text, limit) {
      const all = clusters(String(text));
      return all.length <= limit ? String(text) : all.slice(0, Math.max(1, limit - 1)).join("").replace(/[·・\s]+$/, "") + "…";
    },
  };
})();
