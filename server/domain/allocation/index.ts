export * from './allocate';
export * from './shortages';
