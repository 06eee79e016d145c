export * from './prices';
export * from './over-receipt';
export * from './buying-less';
export * from './price-difference';
export * from './supplier-return';
