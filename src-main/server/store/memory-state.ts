import type { DurableState, KeptState } from './durable-state';
import { NOTHING_KEPT } from './durable-state';
import { MemoryMessageStore } from './memory-store';
import { MemoryRoomStore } from './room-store';

/** A server without a state file or database: the last lines in memory, no sessions kept. */
export function memoryState(historyLines: number): DurableState {
  const messages = new MemoryMessageStore(historyLines);
  const kept: KeptState = { nextUserId: NOTHING_KEPT.nextUserId, sessions: [] };
  return { messages, kept, rooms: new MemoryRoomStore(), sessions: null, flush: () => messages.flush(), close: () => messages.close() };
}
