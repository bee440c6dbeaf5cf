/** Canvas LMS Analytics: client, endpoint catalogue, tables and chart specs (one import for the UI layer). */
export * from './types';
export * from './endpoints';
export * from './links';
export * from './client';
export * from './tables';
export * from './charts';
export * from './options';
