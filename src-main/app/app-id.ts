/** One id for Windows notifications (AppUserModelId), the installer's appId and the single-instance lock. */
export const APP_ID = 'org.simplechat.desktop';
export const PRODUCT_NAME = 'SimpleChat';
