export * from './layers';
export * from './draw';
export * from './inbound';
export * from './method';
