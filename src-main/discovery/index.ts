export { instanceName, isLoopbackOnly, newInstanceId, startAdvertiser } from './advertiser';
export type { Advertiser } from './advertiser';
export { startBrowsing } from './browse';
export type { Browsing } from './browse';
export { createMdnsTransport } from './mdns-transport';
export type { CreateMdnsTransport, MdnsRecord, MdnsTransport } from './mdns-transport';
export type { AdvertisedRoom } from './service-record';
