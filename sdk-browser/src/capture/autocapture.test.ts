// @vitest-environment happy-dom
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Properties } from '../core/types.js';
import { describeElement, mask, startAutocapture } from './autocapture.js';

const tracked: [string, Properties][] = [];

beforeAll(() => startAutocapture((event, properties) => tracked.push([event, properties]), true, true));
beforeEach(() => {
  tracked.length = 0;
  document.body.innerHTML = `
    <nav><a id="promo" href="/sale?email=ana@example.com#top" data-promo="summer">Summer <b>sale</b></a></nav>
    <button id="add" class="btn" data-product-id="sku-1" data-sx-note="internal">Add to cart</button>
    <div role="button" id="fake">Open menu</div>
    <span id="plain">Just text</span>
    <form id="signup" name="newsletter" action="/subscribe?ref=footer" method="POST" data-form="footer">
      <input id="email" name="email" type="email" value="ana@example.com">
      <input id="pw" type="password" value="hunter2">
      <textarea id="note">call me at +1 (415) 555-2671</textarea>
      <input id="go" type="submit" value="Subscribe ana@example.com" aria-label="Subscribe">
    </form>
    <section data-sx-ignore><button id="ignored">Secret</button></section>
    <button id="named" data-sx-event="Size Guide Opened">Size guide</button>`;
});
afterAll(() => {
  document.body.innerHTML = '';
});

const click = (id: string) => (document.getElementById(id) as HTMLElement).click();

describe('autocapture', () => {
  it.each<{ name: string; act: () => void; expected: [string, Properties][] }>([
    {
      name: 'a link: text and path, never the query string',
      act: () => click('promo'),
      expected: [['Element Clicked', { tag: 'a', id: 'promo', text: 'Summer sale', href: '/sale', data: { promo: 'summer' } }]],
    },
    {
      name: 'a button, with its data-* attributes (not data-sx-*)',
      act: () => click('add'),
      expected: [['Element Clicked', { tag: 'button', id: 'add', text: 'Add to cart', data: { 'product-id': 'sku-1' } }]],
    },
    { name: 'a role=button element', act: () => click('fake'), expected: [['Element Clicked', { tag: 'div', id: 'fake', text: 'Open menu' }]] },
    { name: 'a click on plain text: nothing', act: () => click('plain'), expected: [] },
    { name: 'inside data-sx-ignore: nothing', act: () => click('ignored'), expected: [] },
    { name: 'data-sx-event names the event', act: () => click('named'), expected: [['Size Guide Opened', { tag: 'button', id: 'named', text: 'Size guide' }]] },
    {
      name: 'a submit button: its label, never its value (and the submit it causes)',
      act: () => click('go'),
      expected: [
        ['Element Clicked', { tag: 'input', id: 'go', text: 'Subscribe' }],
        ['Form Submitted', { tag: 'form', id: 'signup', name: 'newsletter', action: '/subscribe', method: 'post', data: { form: 'footer' } }],
      ],
    },
    {
      name: 'a form submit: no field values, no query string',
      act: () => document.getElementById('signup')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })),
      expected: [['Form Submitted', { tag: 'form', id: 'signup', name: 'newsletter', action: '/subscribe', method: 'post', data: { form: 'footer' } }]],
    },
  ])('$name', ({ act, expected }) => {
    act();
    expect(tracked).toEqual(expected);
    const all = JSON.stringify(tracked);
    for (const secret of ['ana@example.com', 'hunter2', '555-2671']) expect(all).not.toContain(secret);
  });
});

describe('mask', () => {
  it.each([
    ['  Add\n\n to   cart ', 'Add to cart'],
    ['Signed in as ana.silva+shop@example.com', 'Signed in as [email]'],
    ['Call +1 (415) 555-2671 now', 'Call [number] now'],
    ['Card 4111 1111 1111 1111', 'Card [number]'],
    ['Order #100234567', 'Order #[number]'],
    ['Total 1 299.00 EUR', 'Total 1 299.00 EUR'],
    ['x'.repeat(150), 'x'.repeat(100)],
  ])('%j → %j', (text, expected) => {
    expect(mask(text)).toBe(expected);
  });
});

describe('describeElement', () => {
  it('keeps at most 20 data-* attributes', () => {
    const el = document.createElement('button');
    for (let i = 0; i < 30; i++) el.setAttribute(`data-a${i}`, String(i));
    expect(Object.keys(describeElement(el).data as object)).toHaveLength(20);
  });
});
