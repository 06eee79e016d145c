export * from './roles';
export * from './rounding';
export * from './journal';
export * from './chart';
export * from './refusals';
