export * from './model.js';
export * from './routing.js';
export * from './machine.js';
export * from './hotspots.js';
export * from './metrics.js';
