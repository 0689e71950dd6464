export * from './socket';
export * from './timers';
export * from './connect-url';
export * from './backoff';
export * from './close-reasons';
export * from './client-session';
export * from './outbox';
