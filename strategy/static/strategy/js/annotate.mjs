// Choose the passage to annotate by selecting it in the text (mouse, touch, or the keyboard's own selection):
// the selection grows to the whole sentences it touches, which fill the paragraph's form and are highlighted.
// Progressive enhancement: without this module, the form's list of sentences and its passage field do the same.

const HIGHLIGHT = "annotation-choice";
const skeleton = (text) =>
  text
    .replace(/\]\([^)]*\)/g, "") // a link's address is in the Markdown, not in the rendered text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");

// Where each sentence starts and ends in the paragraph's letters and digits (spaces, signs and markup apart).
function bounds(sentences) {
  let at = 0;
  return sentences.map((text) => {
    const start = at;
    at += skeleton(text).length;
    return [start, at];
  });
}

// Letters and digits of the rendered paragraph before a point of it.
function offsetOf(body, node, offset) {
  const range = document.createRange();
  range.setStart(body, 0);
  range.setEnd(node, offset);
  return skeleton(range.toString()).length;
}

// The DOM point of the n-th letter or digit of the rendered paragraph (to highlight the chosen sentences).
function pointAt(body, n, end) {
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    last = node;
    const text = node.data;
    for (let i = 0; i < text.length; i += 1) {
      if (skeleton(text[i]).length) {
        if (!end && seen === n) return [node, i];
        seen += 1;
        if (end && seen === n) {
          let stop = i + 1; // the sentence's closing signs (full stop, quote…) are part of it
          while (stop < text.length && /[^\s\p{L}\p{N}]/u.test(text[stop])) stop += 1;
          return [node, stop];
        }
      }
    }
  }
  return last ? [last, last.data.length] : [body, 0];
}

function choose(body, range) {
  const sentences = JSON.parse(body.dataset.sentences || "[]");
  if (!sentences.length) return;
  const spans = bounds(sentences);
  const start = offsetOf(body, range.startContainer, range.startOffset);
  const end = Math.max(start + 1, offsetOf(body, range.endContainer, range.endOffset));
  const chosen = spans.map((span, i) => [span, i]).filter(([[a, b]]) => a < end && b > start);
  if (!chosen.length) return;
  const first = chosen[0][1];
  const last = chosen[chosen.length - 1][1];
  const passage = sentences.slice(first, last + 1).join(" ");

  const field = document.getElementById(body.dataset.form);
  const form = field && field.form;
  if (!form) return;
  field.value = passage;
  const list = form.querySelector("select[name=sentence]");
  if (list) list.value = first === last ? String(first) : "";
  const details = form.closest("details");
  if (details) details.open = true;
  const status = document.getElementById(field.getAttribute("aria-describedby"));
  if (status) status.textContent = status.dataset.template.replace("{passage}", passage);

  if (window.CSS && CSS.highlights && window.Highlight) {
    const shown = document.createRange();
    shown.setStart(...pointAt(body, spans[first][0], false));
    shown.setEnd(...pointAt(body, spans[last][1], true));
    CSS.highlights.set(HIGHLIGHT, new Highlight(shown));
  }
}

function fromSelection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return;
  const range = selection.getRangeAt(0);
  const host = range.commonAncestorContainer;
  const body = (host.nodeType === Node.ELEMENT_NODE ? host : host.parentElement)?.closest("[data-sentences]");
  if (body) choose(body, range);
}

if (document.querySelector("[data-sentences]")) {
  let timer = null;
  // Mouse and keyboard selections end with a pointer or key release; a touch selection only with its handles.
  document.addEventListener("pointerup", () => setTimeout(fromSelection, 0));
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey || event.key === "Shift") fromSelection();
  });
  document.addEventListener("selectionchange", () => {
    clearTimeout(timer);
    timer = setTimeout(fromSelection, 600);
  });
  // Choosing in the form's list highlights nothing but clears the previous choice's highlight and passage.
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name=sentence]")) {
      const field = event.target.form.querySelector("textarea[name=quote]");
      if (field) field.value = "";
      if (window.CSS && CSS.highlights) CSS.highlights.delete(HIGHLIGHT);
    }
  });
}
