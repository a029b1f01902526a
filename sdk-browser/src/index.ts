/** @sextant/sdk-browser: the browser tracking SDK and snippet (issue 4). Filled by later issues; present now so the workspace builds and tests. */
export const packageInfo = { name: '@sextant/sdk-browser', role: 'the browser tracking SDK and snippet (issue 4)' } as const;
