// Formats a citation sequence with citeproc-js, the reference CSL processor (tools/crosscheck.py).
// Input on stdin: {style, locale, lang, items, citations: [[{id, locator, label, prefix}], ...]}
// Output: {notes: [text], references: [text]}
const CSL = require("citeproc");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const items = Object.fromEntries(input.items.map((item) => [item.id, item]));
const sys = {
  retrieveLocale: () => input.locale,
  retrieveItem: (id) => items[id],
};
const engine = new CSL.Engine(sys, input.style, input.lang);
engine.setOutputFormat("text");
engine.updateItems(input.items.map((item) => item.id));
const notes = [];
let pre = [];
input.citations.forEach((cites, n) => {
  const citation = {
    citationItems: cites,
    properties: { noteIndex: n + 1 },
  };
  const [, result] = engine.processCitationCluster(citation, pre, []);
  pre.push([citation.citationID, n + 1]);
  result.forEach(([index, text]) => { notes[index] = text; });
});
const bib = engine.makeBibliography();
const references = bib ? bib[1].map((entry) => entry.trim()) : [];
process.stdout.write(JSON.stringify({ notes, references }));
