export * from './contract';
export * from './settings';
