export * from './segment-definition.js';
