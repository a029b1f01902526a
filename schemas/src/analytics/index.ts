export * from './analytics-definitions.js';
