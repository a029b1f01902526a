import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../test/fixtures/memory-storage.js';
import { parseJson, webStorage } from './web-storage.js';

describe('webStorage', () => {
  it('reads, writes, deletes and lists keys', () => {
    const s = webStorage(() => memoryStorage());
    expect(s.set('a', '1')).toBe(true);
    expect(s.get('a')).toBe('1');
    expect(s.keys()).toEqual(['a']);
    s.del('a');
    expect(s.get('a')).toBeNull();
  });

  it('keeps values in memory when the browser refuses storage (Safari private mode, disabled)', () => {
    const s = webStorage(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    expect(s.set('a', '1')).toBe(true);
    expect(s.get('a')).toBe('1');
    expect(s.keys()).toEqual(['a']);
    s.del('a');
    expect(s.get('a')).toBeNull();
  });

  it('reports a write refused for quota instead of throwing', () => {
    const s = webStorage(() => memoryStorage(20));
    expect(s.set('a', 'small')).toBe(true);
    expect(s.set('b', 'x'.repeat(100))).toBe(false);
    expect(s.get('a')).toBe('small');
  });

  it('never throws when storage breaks after the start', () => {
    const broken = memoryStorage();
    const s = webStorage(() => broken);
    broken.getItem = () => {
      throw new Error('gone');
    };
    broken.removeItem = broken.getItem;
    expect(s.get('a')).toBeNull();
    expect(() => s.del('a')).not.toThrow();
  });
});

describe('parseJson', () => {
  it.each([
    { text: '{"a":1}', expected: { a: 1 } },
    { text: '{broken', expected: undefined },
    { text: '', expected: undefined },
    { text: null, expected: undefined },
  ])('$text', ({ text, expected }) => {
    expect(parseJson(text)).toEqual(expected);
  });
});
