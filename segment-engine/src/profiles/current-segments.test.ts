import { describe, expect, it } from 'vitest';
import { currentSegments } from './load-profile.js';
import type { ProfileSnapshot } from './read-profile-snapshot.js';

const snapshot = (over: Partial<ProfileSnapshot>): ProfileSnapshot => ({
  computed: '', tags: [], segments: [], changedSegments: new Map(), liveSegments: new Map(), segmentsCurrent: true,
  recent: { limit: 20, events: [], changes: [] }, ...over,
});

describe('currentSegments (a snapshot brought up to date with the changes since)', () => {
  it('keeps unchanged memberships, with current names, ordered by name, and drops deleted segments', () => {
    const s = snapshot({
      segments: [{ id: 'a', name: 'Old A', since: '2024-01-01 00:00:00.000' }, { id: 'b', name: 'B', since: '' }, { id: 'gone', name: 'Gone', since: '' }],
      liveSegments: new Map([['a', 'Zed'], ['b', 'B']]),
    });
    expect(currentSegments(s, [])).toEqual([
      { id: 'b', name: 'B', since: null },
      { id: 'a', name: 'Zed', since: '2024-01-01 00:00:00.000' },
    ]);
  });

  it('applies the last recorded change of each changed segment; since is the latest entry', () => {
    const s = snapshot({
      segments: [{ id: 'left', name: 'L', since: '2024-01-01 00:00:00.000' }],
      changedSegments: new Map([['left', 20], ['back', 20], ['new', 30], ['pending', 10]]),
      liveSegments: new Map([['left', 'L'], ['back', 'Back'], ['new', 'New'], ['pending', 'Pending']]),
      segmentsCurrent: false,
    });
    const changes: Parameters<typeof currentSegments>[1] = [
      ['left', 'entered', 5, '2024-01-01 00:00:00.000'],
      ['left', 'left', 20, '2024-01-03 00:00:00.000'],
      ['back', 'entered', 5, '2024-01-01 00:00:00.000'],
      ['back', 'left', 10, '2024-01-02 00:00:00.000'],
      ['back', 'entered', 20, '2024-01-03 00:00:00.000'],
      ['new', 'entered', '30', '2024-01-04 00:00:00.000'],
      // A refresh not recorded yet (version above the segment's latest recorded one) is not applied.
      ['pending', 'entered', 11, '2024-01-05 00:00:00.000'],
    ];
    expect(currentSegments(s, changes)).toEqual([
      { id: 'back', name: 'Back', since: '2024-01-03 00:00:00.000' },
      { id: 'new', name: 'New', since: '2024-01-04 00:00:00.000' },
    ]);
  });
});
