// A paragraph of the report's prose. The text is escaped, so data can be quoted in it safely.
import { escapeHtml } from './escapeHtml.ts';

export function paragraph(text: string, className?: string): string {
  return `<p${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</p>`;
}
