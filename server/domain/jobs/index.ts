export * from './requirements';
export * from './costs';
