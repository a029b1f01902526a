/** @sextant/segment-engine: profiles, identity resolution, segments, funnels, attribution, audiences and the scheduler (issues 6-8). Filled by later issues; present now so the workspace builds and tests. */
export const packageInfo = { name: '@sextant/segment-engine', role: 'profiles, identity resolution, segments, funnels, attribution, audiences and the scheduler (issues 6-8)' } as const;
