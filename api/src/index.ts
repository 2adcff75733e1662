export * from './types';
export * from './jobs';
export * from './client';
