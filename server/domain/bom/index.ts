export * from './types';
export * from './cycles';
export * from './explode';
