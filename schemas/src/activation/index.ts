export * from './audience-input.js';
export * from './retargeting-audiences.js';
