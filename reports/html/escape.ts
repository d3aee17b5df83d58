/** Text into HTML, and data into an inline `<script>` block, without breaking out of either. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe inside element content and inside double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` block. Every `<` becomes `\u003c`, so no `</script`
 * or `<!--` in the data can end or confuse the block; JSON.parse reads the escape back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * Inline a third-party script or stylesheet as is. A closing tag inside it would end the block
 * early; rather than rewrite someone else's code, refuse loudly.
 */
export function inlineAsset(text: string, tag: 'script' | 'style', name: string): string {
  if (text.toLowerCase().includes(`</${tag}`)) throw new Error(`cannot inline ${name}: it contains '</${tag}'`);
  return text;
}
