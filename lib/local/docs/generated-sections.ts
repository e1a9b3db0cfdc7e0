// Generated parts of hand-written documents: `npm run docs` rewrites only what lies between a pair of
// markers, so the text around them survives, and a test can compare the committed part with a fresh one.

export function beginMarker(name: string): string {
  return `<!-- generated:${name} begin: npm run docs rewrites this part, do not edit it by hand -->`;
}

export function endMarker(name: string): string {
  return `<!-- generated:${name} end -->`;
}

/** The text between the markers of `name` (without the newlines next to them). */
export function generatedSection(document: string, name: string): string {
  const { start, end } = markerBounds(document, name);
  return document.slice(start, end).replace(/^\n/, '').replace(/\n$/, '');
}

/** `document` with the part between the markers of `name` replaced by `content`. */
export function replaceGeneratedSection(document: string, name: string, content: string): string {
  const { start, end } = markerBounds(document, name);
  return `${document.slice(0, start)}\n${content.replace(/\n+$/, '')}\n${document.slice(end)}`;
}

function markerBounds(document: string, name: string): { start: number; end: number } {
  const begin = beginMarker(name);
  const first = document.indexOf(begin);
  const end = document.indexOf(endMarker(name));
  if (first < 0 || end < 0 || end < first)
    throw new Error(`no "${name}" markers: the document needs ${begin} … ${endMarker(name)}`);
  if (document.indexOf(begin, first + 1) >= 0) throw new Error(`the "${name}" markers appear twice`);
  return { start: first + begin.length, end };
}
