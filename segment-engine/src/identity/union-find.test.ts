import { describe, expect, it } from 'vitest';
import { resolveComponents } from './union-find.js';

const persons = (edges: [string, string][], uniqueKinds: ('u' | 'e')[] = ['u']) => {
  const { canonical, refused } = resolveComponents(edges, { uniqueKinds });
  const groups = new Map<string, string[]>();
  for (const [id, canon] of canonical) groups.set(canon, [...(groups.get(canon) ?? []), id].sort());
  return { groups: Object.fromEntries([...groups].sort()), refused };
};

describe('resolveComponents', () => {
  it('joins anonymous browsing to the user who logs in, canonical = the userId', () => {
    expect(persons([['u:alice', 'a:dev1']]).groups).toEqual({ 'u:alice': ['a:dev1', 'u:alice'] });
  });

  it('joins two devices through an email', () => {
    const { groups } = persons([['a:phone', 'e:bob@x.io'], ['a:laptop', 'e:bob@x.io']]);
    expect(groups).toEqual({ 'e:bob@x.io': ['a:laptop', 'a:phone', 'e:bob@x.io'] });
  });

  it('never merges two userIds: the earlier link wins', () => {
    const { groups, refused } = persons([['u:u1', 'a:shared'], ['u:u2', 'a:shared'], ['u:u2', 'e:u2@x.io']]);
    expect(groups).toEqual({ 'u:u1': ['a:shared', 'u:u1'], 'u:u2': ['e:u2@x.io', 'u:u2'] });
    expect(refused).toBe(1);
  });

  it('refuses a merge that would join two userIds through a chain', () => {
    const { groups } = persons([['u:u1', 'e:x@x.io'], ['a:d', 'e:x@x.io'], ['u:u2', 'a:d']]);
    expect(groups['u:u1']).toEqual(['a:d', 'e:x@x.io', 'u:u1']);
    expect(groups['u:u2']).toEqual(['u:u2']);
  });

  it('merges userIds when the rule is switched off', () => {
    expect(persons([['u:u1', 'a:s'], ['u:u2', 'a:s']], []).groups).toEqual({ 'u:u1': ['a:s', 'u:u1', 'u:u2'] });
  });

  it('gives the same persons whatever the order of non-conflicting edges', () => {
    const edges: [string, string][] = [['a:1', 'a:2'], ['a:2', 'e:m@x.io'], ['u:z', 'a:1'], ['a:3', 'p:+4915112345678'], ['a:3', 'a:1']];
    const forward = persons(edges).groups;
    expect(persons([...edges].reverse()).groups).toEqual(forward);
    expect(Object.keys(forward)).toEqual(['u:z']);
  });
});
