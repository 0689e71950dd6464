import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/*
 * Driving the UI through a stand-in bridge (`fakeBridgeScript`): push events in the
 * shape main would, read back the commands the UI sent.
 */

export interface TestUser {
  userId: number;
  userName: string;
  gender: 0 | 1 | 2;
  userColor: string;
}

export const ME: TestUser = { userId: 1, userName: 'Tester', gender: 1, userColor: '#2980b9' };
export const ANYA: TestUser = { userId: 2, userName: 'Аня', gender: 2, userColor: '#8e44ad' };
export const BOB: TestUser = { userId: 3, userName: 'Bob', gender: 0, userColor: '#27ae60' };

/** Pushes a bridge event, then waits for the frame that folds it in (the UI renders bridge events once per frame). */
export async function emit(page: Page, event: string, payload: unknown): Promise<void> {
  await page.evaluate(([e, p]) => {
    (window as unknown as { __bridge: { emit(e: unknown, p: unknown): void } }).__bridge.emit(e, p);
    return new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  }, [event, payload] as const);
}

export async function message(page: Page, payload: Record<string, unknown>): Promise<void> {
  await emit(page, 'message', payload);
}

export interface BridgeCall {
  name: string;
  args: unknown[];
}

export async function calls(page: Page, name?: string): Promise<BridgeCall[]> {
  const all = await page.evaluate(() => (window as unknown as { __bridge: { calls: BridgeCall[] } }).__bridge.calls.slice());
  return name === undefined ? all : all.filter((c) => c.name === name);
}

/** Waits until the UI has sent `name` at least `count` times; returns those calls. */
export async function waitForCalls(page: Page, name: string, count = 1): Promise<BridgeCall[]> {
  await expect.poll(async () => (await calls(page, name)).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(count);
  return calls(page, name);
}

/** Presses Connect in the dialog, then plays the server's side of a login. */
export async function logIn(page: Page, self: TestUser = ME, others: TestUser[] = [], connectLabel = 'Connect'): Promise<void> {
  await page.getByRole('button', { name: connectLabel, exact: true }).click();
  await waitForCalls(page, 'connect');
  await emit(page, 'status', { state: 'connecting', url: 'ws://127.0.0.1:27800/', attempt: 0 });
  await emit(page, 'status', { state: 'open', url: 'ws://127.0.0.1:27800/' });
  await message(page, { action: 'Authorized', ...self, users: [...others, self] });
  await emit(page, 'status', { state: 'authorized', self });
  await message(page, { action: 'Connected', ...self });
  await expect.poll(() => page.locator('message-input textarea').isEnabled()).toBe(true);
}

export function say(from: TestUser, text: string): Record<string, unknown> {
  return { action: 'PublicMessage', ...from, text };
}
