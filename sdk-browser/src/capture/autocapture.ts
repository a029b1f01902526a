import type { Properties } from '../core/types.js';

/**
 * Autocapture of link/button clicks (`Element Clicked`) and form submits (`Form Submitted`), with the
 * element's tag, id, visible text and `data-*` attributes. Never the value of an input, select or
 * textarea (not even a submit button's), never a link's query string; e-mail addresses and long
 * digit runs (phone, card numbers) in text are masked. `data-sx-event="Name"` names the event;
 * anything inside `data-sx-ignore` is skipped.
 */
const CLICKABLE = 'a,button,[role=button],input[type=submit],input[type=button],[data-sx-event]';

export function startAutocapture(track: (event: string, properties: Properties) => void, clicks: boolean, forms: boolean): void {
  const handle = (selector: string, fallback: string) => (e: Event) => {
    try {
      const target = e.target as Element | null;
      const el = target && target.closest ? target.closest(selector) : null;
      if (el && !el.closest('[data-sx-ignore]')) track(el.getAttribute('data-sx-event') || fallback, describeElement(el));
    } catch {
      // never break the page's own handlers
    }
  };
  if (clicks) addEventListener('click', handle(CLICKABLE, 'Element Clicked'), true);
  if (forms) addEventListener('submit', handle('form', 'Form Submitted'), true);
}

export function describeElement(el: Element): Properties {
  const tag = el.tagName.toLowerCase();
  const p: Properties = { tag };
  const attr = (name: string) => el.getAttribute(name);
  if (el.id) p.id = el.id;
  // Inputs and forms: labels only (their text content would be the typed values).
  const text = tag == 'input' || tag == 'form' ? attr('aria-label') : (el as HTMLElement).innerText || el.textContent;
  if (text) p.text = mask(text);
  const href = attr('href');
  if (href) p.href = href.split(/[?#]/)[0];
  if (tag == 'form') {
    p.name = attr('name') || undefined;
    p.action = (attr('action') || '').split(/[?#]/)[0] || undefined;
    p.method = (attr('method') || 'get').toLowerCase();
  }
  const data: Record<string, string> = {};
  let n = 0;
  for (const a of Array.from(el.attributes)) {
    if (a.name.indexOf('data-') == 0 && a.name.indexOf('data-sx-') != 0 && n++ < 20) data[a.name.slice(5)] = mask(a.value);
  }
  if (n) p.data = data;
  return p;
}

/** Whitespace collapsed, at most 100 characters, e-mails and runs of 9+ digits (phones, cards) replaced. */
export function mask(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[^\s@]+@[^\s@]+/g, '[email]')
    .replace(/\+?(?:\d[ ().-]{0,2}){8,}\d/g, '[number]')
    .slice(0, 100);
}
