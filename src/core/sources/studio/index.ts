/** Canvas Studio Insights: client, perspective/URL parsing and chart picks (one import for the UI layer). */
export * from './perspective';
export * from './client';
export * from './charts';
export * from './options';
export * from './result';
