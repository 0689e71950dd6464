export * from './limits';
export * from './messages';
export * from './parse';
export * from './identity';
export * from './rich-text';
export * from './room-name';
export * from './lasting-identity';
export * from './files';
