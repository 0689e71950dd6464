export * from './contract';
export * from './settings';
export * from './room-keys';
