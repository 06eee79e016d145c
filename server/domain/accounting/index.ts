export * from './roles';
export * from './rounding';
export * from './journal';
