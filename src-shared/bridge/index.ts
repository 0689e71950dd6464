export * from './contract';
export * from './settings';
export * from './room-keys';
export * from './found-room';
