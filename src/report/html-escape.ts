// Escaping for the HTML report: trace content is untrusted, so every string goes through
// `escapeHtml`, and the data the page's script reads is JSON that cannot close its <script>.

/** Text safe in HTML content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: no `<` (so no `</script>` or `<!--`), no U+2028/2029. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
