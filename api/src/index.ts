export * from './types';
export * from './jobs';
export * from './client';
export * from './node-logs';
export * from './keys';
