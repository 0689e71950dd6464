import type { ChatBridge } from '../src-shared/bridge';
import { createBrowserBridge } from './bridges/browser-bridge';
import { servedByRoom } from './bridges/browser-settings';
import './components/chat-app';
import { themeSheet } from './components/theme';

declare global {
  interface Window {
    /** The preload's bridge, in the desktop app only. */
    chat?: ChatBridge;
  }
}

document.adoptedStyleSheets = [...document.adoptedStyleSheets, themeSheet()];

// In the desktop app the preload exposes `window.chat`; served to a browser, the page talks to the server itself.
const preloadBridge = window.chat;
const app = document.createElement('chat-app');
app.bridge = preloadBridge ?? createBrowserBridge();
app.canHost = preloadBridge !== undefined;
app.guest = preloadBridge === undefined && servedByRoom(window.location);
document.body.append(app);
