import { describe, expect, it, vi } from 'vitest';
import { Attention, BEEP_MIN_INTERVAL_MS, NOTIFICATION_BODY_MAX, SHAKE_OFFSETS, notificationText } from '../../../src-main/app/attention';
import { createFakeElectron, FakeBrowserWindow, FakeNotification } from '../../support/fake-electron';

function setUp() {
  const electron = createFakeElectron();
  let now = 10_000;
  const unread: number[] = [];
  const attention = new Attention({
    beep: () => electron.shell.beep(),
    notificationsSupported: () => electron.Notification.isSupported(),
    createNotification: (options) => new electron.Notification(options),
    setBadgeCount: (count) => electron.app.setBadgeCount(count),
    onUnreadCount: (count) => unread.push(count),
    now: () => now,
  });
  const window = new FakeBrowserWindow();
  window.on('focus', () => attention.windowFocused());
  attention.attachWindow(window);
  const advance = (ms: number) => (now += ms);
  FakeNotification.instances.length = 0;
  return { electron, attention, window, unread, advance };
}

const mention = { kind: 'mention', from: 'Bob', text: 'hi <Ann>' } as const;

describe('attention', () => {
  it('while unfocused: beeps, flashes, and shows a silent notification', () => {
    const { electron, attention, window } = setUp();
    attention.request(mention);
    expect(electron.shell.beeps).toBe(1);
    expect(window.flashCalls).toEqual([true]);
    expect(FakeNotification.instances).toHaveLength(1);
    const [n] = FakeNotification.instances;
    expect(n!.shown).toBe(true);
    expect(n!.options).toEqual({ title: 'Bob mentioned you', body: 'hi <Ann>', silent: true });
  });

  it('stops flashing and drops the notification when the window gets focus', () => {
    const { attention, window } = setUp();
    attention.request(mention);
    window.focus();
    expect(window.flashCalls).toEqual([true, false]);
    expect(FakeNotification.instances[0]!.closed).toBe(true);
  });

  it("a notification's click brings a minimised, hidden window forward", () => {
    const { attention, window } = setUp();
    window.minimized = true;
    attention.request({ kind: 'private', from: 'Bob', text: 'psst' });
    expect(FakeNotification.instances[0]!.options.title).toBe('Bob (private message)');
    FakeNotification.instances[0]!.click();
    expect(window.calls).toEqual(['restore', 'show', 'focus']);
    expect(window.isFocused()).toBe(true);
  });

  it('while focused: a beep only', () => {
    const { electron, attention, window } = setUp();
    window.focused = true;
    attention.request(mention);
    expect(electron.shell.beeps).toBe(1);
    expect(window.flashCalls).toEqual([]);
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('one beep per burst, and the newest notification replaces the last', () => {
    const { electron, attention, advance } = setUp();
    attention.request(mention);
    advance(BEEP_MIN_INTERVAL_MS - 1);
    attention.request(mention);
    expect(electron.shell.beeps).toBe(1);
    expect(FakeNotification.instances.map((n) => n.closed)).toEqual([true, false]);
    advance(1);
    attention.request(mention);
    expect(electron.shell.beeps).toBe(2);
  });

  it('no notification where the system has none', () => {
    const { attention } = setUp();
    FakeNotification.supported = false;
    try {
      attention.request(mention);
      expect(FakeNotification.instances).toHaveLength(0);
    } finally {
      FakeNotification.supported = true;
    }
  });

  it('sets and clears the badge, and tells the tray', () => {
    const { electron, attention, unread } = setUp();
    attention.setUnreadCount(3);
    attention.setUnreadCount(0);
    expect(electron.app.badgeCounts).toEqual([3, 0]);
    expect(unread).toEqual([3, 0]);
    expect(attention.unreadCount).toBe(0);
  });

  it('cuts long bodies and flattens whitespace', () => {
    const text = notificationText({ kind: 'mention', from: '  ', text: `a\n\n${'x'.repeat(500)}` });
    expect(text.title).toBe('Someone mentioned you');
    expect(Array.from(text.body)).toHaveLength(NOTIFICATION_BODY_MAX);
    expect(text.body.startsWith('a x')).toBe(true);
    expect(text.body.endsWith('…')).toBe(true);
  });

  it('a destroyed window is left alone', () => {
    const { attention, window } = setUp();
    window.destroyed = true;
    expect(() => attention.request(mention)).not.toThrow();
    expect(() => attention.focusWindow()).not.toThrow();
    expect(window.flashCalls).toEqual([]);
  });
});

describe('attention for a buzz (issue 13 §4)', () => {
  const buzz = { kind: 'buzz', from: 'Bob', text: 'Bob buzzed you!' } as const;

  it('shakes the window and puts it back, flashes it and notifies while unfocused; no beep (the page plays its own sound)', () => {
    vi.useFakeTimers();
    try {
      const { electron, attention, window } = setUp();
      window.bounds = { ...window.bounds, x: 300, y: 200 };
      attention.request(buzz);
      vi.runAllTimers();
      expect(window.positions.map(([x]) => x)).toEqual(SHAKE_OFFSETS.map((dx) => 300 + dx));
      expect(window.positions.every(([, y]) => y === 200)).toBe(true);
      expect(window.getPosition()).toEqual([300, 200]);
      expect(electron.shell.beeps).toBe(0);
      expect(window.flashCalls).toEqual([true]);
      expect(FakeNotification.instances[0]!.options).toEqual({ title: 'Bob buzzed you', body: 'Bob buzzed you!', silent: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it('focused: shakes only; maximised or full screen: does not move the window', () => {
    vi.useFakeTimers();
    try {
      const { attention, window } = setUp();
      window.focused = true;
      attention.request(buzz);
      vi.runAllTimers();
      expect(window.positions).toHaveLength(SHAKE_OFFSETS.length);
      expect(window.flashCalls).toEqual([]);
      expect(FakeNotification.instances).toHaveLength(0);
      window.maximized = true;
      attention.request(buzz);
      vi.runAllTimers();
      window.maximized = false;
      window.fullScreen = true;
      attention.request(buzz);
      vi.runAllTimers();
      expect(window.positions).toHaveLength(SHAKE_OFFSETS.length);
    } finally {
      vi.useRealTimers();
    }
  });
});
