export * from './analytics-definitions.js';
export * from './funnel-drop-offs.js';
